package dev.kiln;

import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/** The shapes of native calls that Tensor's op methods share: each takes the tensor the method is called on. */
final class Calls {
  private Calls() {}

  static Tensor unary(Tensor self, int op) {
    return new Tensor(Core.call1(op, self.handle()));
  }

  static Tensor binary(Tensor self, int op, Tensor other) {
    return new Tensor(Core.call2(op, self.handle(), other.handle()));
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

  /** An op returning values and indices along a dim. */
  static ValuesAndIndices valuesAndIndices(Tensor self, int op, int dim, boolean keepdim) {
    long[] out = Core.call(op, Frame.of(new long[] {self.handle()}, new long[] {dim, keepdim ? 1 : 0}), 2);
    return new ValuesAndIndices(new Tensor(out[0]), new Tensor(out[1]));
  }
}
