package dev.kiln;

import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.internal.NativeDType;
import java.lang.ref.Reference;

/** The shapes of native calls that Tensor's op methods share: each takes the tensor the method is called on. */
final class Calls {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  private Calls() {}

  // The two hottest paths fence their operands instead of pinning them (internal.Pins): a few nanoseconds less
  // per op, which tiny ops notice.
  static Tensor unary(Tensor self, int op) {
    long out = Core.call1Fenced(op, self.liveHandle());
    Reference.reachabilityFence(self);
    return new Tensor(out);
  }

  static Tensor binary(Tensor self, int op, Tensor other) {
    long out = Core.call2Fenced(op, self.liveHandle(), other.liveHandle());
    Reference.reachabilityFence(self);
    Reference.reachabilityFence(other);
    return new Tensor(out);
  }

  static Tensor unaryInPlace(Tensor self, int op) {
    Core.callInPlace(op, Frame.tensors(self.handle()));
    return self;
  }

  static Tensor withInts(Tensor self, int op, int... ints) {
    return new Tensor(Core.call(op, Frame.of(new long[] {self.handle()}, Frame.ints(ints))));
  }

  static Tensor withLongs(Tensor self, int op, long... ints) {
    return new Tensor(Core.call(op, Frame.of(new long[] {self.handle()}, ints)));
  }

  /** op(tensors...; ints; reals) with one output. */
  static Tensor call(int op, long[] tensors, long[] ints, double... reals) {
    return new Tensor(Core.call(op, Frame.of(tensors, ints, reals)));
  }

  /** The in-place form: tensors[0] is overwritten. Returns self, which must be that tensor. */
  static Tensor callInPlace(Tensor self, int op, long[] tensors, long[] ints, double... reals) {
    Core.callInPlace(op, Frame.of(tensors, ints, reals));
    return self;
  }

  /** A native wrapped number (a Java scalar in type promotion); release it with {@link #release}. */
  static long wrapped(double value) {
    return Core.handleOf(() -> KilnNative.kiln_scalar(value, 0, NativeDType.FLOAT64, 1));
  }

  static long wrapped(long value) {
    return Core.handleOf(() -> KilnNative.kiln_scalar(0, value, NativeDType.INT64, 1));
  }

  static long wrapped(boolean value) {
    return Core.handleOf(() -> KilnNative.kiln_scalar(0, value ? 1 : 0, NativeDType.BOOL, 1));
  }

  static void release(long... handles) {
    for (long h : handles) if (h != 0) KilnNative.kiln_release(h);
  }

  static final long[] NO_INTS = new long[0];

  /** An op of three tensors and real arguments (addmm's beta and alpha, ...). */
  static Tensor ternaryReals(Tensor self, int op, Tensor b, Tensor c, double... reals) {
    return new Tensor(Core.call(op, Frame.of(new long[] {self.handle(), b.handle(), c.handle()}, new long[0], reals)));
  }

  /** einsum: the equation's characters travel as ints. */
  static Tensor einsum(String equation, Tensor... operands) {
    long[] handles = new long[operands.length];
    for (int i = 0; i < operands.length; i++) handles[i] = operands[i].handle();
    long[] chars = equation.chars().asLongStream().toArray();
    return new Tensor(Core.call(LinalgIds.EINSUM, Frame.of(handles, chars)));
  }

  /** A reduction: ints are [keepdim, dims...]; no dims means all. */
  static Tensor reduce(Tensor self, int op, int[] dims, boolean keepdim) {
    long[] ints = new long[dims.length + 1];
    ints[0] = keepdim ? 1 : 0;
    for (int i = 0; i < dims.length; i++) ints[i + 1] = dims[i];
    return new Tensor(Core.call(op, Frame.of(new long[] {self.handle()}, ints)));
  }

  /** An op with any tensor inputs and several outputs (at most maxOutputs), as a list. */
  static java.util.List<Tensor> many(int op, long[] tensors, long[] ints, int maxOutputs) {
    long[] out = Core.call(op, Frame.of(tensors, ints), Math.max(1, maxOutputs));
    java.util.List<Tensor> list = new java.util.ArrayList<>(out.length);
    for (long h : out) list.add(new Tensor(h));
    return java.util.List.copyOf(list);
  }

  /** An op with any tensor inputs and ints, and one output. */
  static Tensor call(int op, long[] tensors, long... ints) {
    return new Tensor(Core.call(op, Frame.of(tensors, ints)));
  }

  static long[] handles(java.util.List<Tensor> tensors) {
    long[] h = new long[tensors.size()];
    for (int i = 0; i < h.length; i++) h[i] = tensors.get(i).handle();
    return h;
  }

  /** An op returning values and indices along a dim. */
  static ValuesAndIndices valuesAndIndices(Tensor self, int op, int dim, boolean keepdim) {
    long[] out = Core.call(op, Frame.of(new long[] {self.handle()}, new long[] {dim, keepdim ? 1 : 0}), 2);
    return new ValuesAndIndices(new Tensor(out[0]), new Tensor(out[1]));
  }
}
