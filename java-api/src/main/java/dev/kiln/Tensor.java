package dev.kiln;

import dev.kiln.autograd.GradFn;
import dev.kiln.autograd.RemovableHandle;
import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Callbacks;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.internal.Pins;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A multi-dimensional array on a device, with PyTorch's semantics: strided views that share memory,
 * broadcasting, type promotion, and (as the next issues land) automatic differentiation.
 *
 * <p>Method names are PyTorch's in camelCase; in-place forms end in an underscore ({@code add_}) and
 * return this tensor. A Tensor owns native memory: release it with {@link #close()}, a
 * {@link TensorScope}, or let the garbage collector do it.
 *
 * <pre>{@code
 * Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
 * Tensor b = a.matmul(a.t()).add(1);   // tensor([[ 6., 12.], [12., 26.]])
 * }</pre>
 */
public final class Tensor implements AutoCloseable, TensorMath, TensorReductions, TensorShape, TensorIndexing,
    TensorLinalg, TensorRandom, TensorFunctions, TensorPointwise, TensorLogical {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  // Op ids used here, resolved by name once (the families keep their own).
  private static final int WHERE = Core.op("where"), ARANGE = Core.op("arange"),
      CLONE = Core.op("clone"),
      EMPTY = Core.op("empty"),
      EYE = Core.op("eye"),
      FULL = Core.op("full"),
      ONES = Core.op("ones"),
      RAND = Core.op("rand"),
      RANDN = Core.op("randn"),
      TO = Core.op("to"),
      TO_DEVICE = Core.op("to_device"),
      ZEROS = Core.op("zeros");

  private final NativeRef ref;
  TensorScope scope; // the scope that will close this tensor, if any
  private long[] shape; // cached: a tensor's shape never changes
  private DType dtype;

  /** Wraps a native handle that this tensor now owns. */
  Tensor(long handle) {
    ref = new NativeRef(this, handle);
    TensorScope.register(this);
    NativeRef.afterCreate();
    if (LeakTracker.enabled) LeakTracker.track(this);
  }

  /** Wraps a native handle, taking ownership of it. For Kiln's own packages. */
  public static Tensor adopt(long handle) {
    return new Tensor(handle);
  }

  /**
   * The native handle, for Kiln's own packages; throws if the tensor is closed. It also pins this tensor until the
   * next native call through Core on this thread returns (internal.Pins): the caller may drop its last reference
   * to this Tensor while that call still reads the handle.
   */
  public long handle() {
    long h = liveHandle();
    Pins.pin(this);
    return h;
  }

  /**
   * The handle, unpinned: for direct native reads and the hot op paths (Calls.unary, Calls.binary), which keep the
   * tensor reachable themselves with {@code Reference.reachabilityFence} after the call.
   */
  long liveHandle() {
    long h = ref.handle();
    if (h == 0) throw new IllegalStateException("this tensor is closed");
    return h;
  }

  // ---------------------------------------------------------------- creation

  /** A tensor with a copy of data; with no shape, 1-D. {@code Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)} */
  public static Tensor of(float[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_from_float(data, data.length, s, s.length)));
  }

  public static Tensor of(double[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_from_double(data, data.length, s, s.length)));
  }

  public static Tensor of(long[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_from_long(data, data.length, s, s.length)));
  }

  public static Tensor of(boolean[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    byte[] bytes = new byte[data.length];
    for (int i = 0; i < data.length; i++) bytes[i] = (byte) (data[i] ? 1 : 0);
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_from_bool(bytes, bytes.length, s, s.length)));
  }

  /** An int32 tensor ({@code torch.tensor(data, dtype=torch.int32)}). */
  public static Tensor of(int[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_from_int(data, data.length, s, s.length)));
  }

  /**
   * An 8-bit tensor: dtype INT8 reads the bytes as signed, UINT8 as unsigned (byte -1 is 255), BOOL as
   * nonzero. {@code Tensor.of(new byte[] {1, -1}, DType.UINT8)} is tensor([1, 255], dtype=torch.uint8).
   */
  public static Tensor of(byte[] data, DType dtype, long... shape) {
    long[] s = shapeFor(data.length, shape);
    int code = dtype.code();
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_from_byte(data, data.length, s, s.length, code)));
  }

  /**
   * A 16-bit tensor: dtype INT16 takes the values, FLOAT16 and BFLOAT16 take the elements' bit patterns
   * ({@code (short) 0x3c00} is 1.0 in float16, {@code (short) 0x3f80} in bfloat16).
   */
  public static Tensor of(short[] data, DType dtype, long... shape) {
    long[] s = shapeFor(data.length, shape);
    int code = dtype.code();
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_from_short(data, data.length, s, s.length, code)));
  }

  /**
   * A tensor of any dtype from its elements' raw little-endian bytes, row-major (as safetensors and numpy's
   * tobytes() hold them): bytes.length must be numel times the item size.
   */
  public static Tensor fromBytes(byte[] bytes, DType dtype, long... shape) {
    int item = dtype.itemSize();
    long[] s = shapeFor(bytes.length / item, shape);
    int code = dtype.code();
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_from_bytes(bytes, bytes.length, s, s.length, code)));
  }

  private static long[] shapeFor(int length, long[] shape) {
    return shape.length == 0 ? new long[] {length} : shape.clone();
  }

  /** A 0-dim float32 tensor ({@code torch.tensor(2.5)}). */
  public static Tensor scalar(double value) {
    return scalar(value, DType.FLOAT32);
  }

  /** A 0-dim int64 tensor ({@code torch.tensor(3)}). */
  public static Tensor scalar(long value) {
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_scalar(0, value, DType.INT64.code(), 0)));
  }

  /** A 0-dim tensor of an integer value in dtype ({@code torch.tensor(3, dtype=torch.int8)}); narrow dtypes wrap. */
  public static Tensor scalar(long value, DType dtype) {
    double real = value;
    long ivalue = dtype == DType.BOOL ? (value != 0 ? 1 : 0) : value;
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_scalar(real, ivalue, dtype.code(), 0)));
  }

  public static Tensor scalar(boolean value) {
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_scalar(0, value ? 1 : 0, DType.BOOL.code(), 0)));
  }

  /**
   * A 0-dim tensor of value converted to dtype: truncated for integer dtypes (then wrapped into the narrow ones),
   * rounded to nearest even for float16 and bfloat16, {@code value != 0} for bool.
   */
  public static Tensor scalar(double value, DType dtype) {
    long ivalue = dtype == DType.BOOL ? (value != 0 ? 1 : 0) : (long) value; // NaN is true, as in PyTorch
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_scalar(value, ivalue, dtype.code(), 0)));
  }

  public static Tensor empty(long... shape) {
    return empty(DType.FLOAT32, shape);
  }

  public static Tensor empty(DType dtype, long... shape) {
    return create(EMPTY, dtype, shape);
  }

  public static Tensor zeros(long... shape) {
    return zeros(DType.FLOAT32, shape);
  }

  public static Tensor zeros(DType dtype, long... shape) {
    return create(ZEROS, dtype, shape);
  }

  public static Tensor ones(long... shape) {
    return ones(DType.FLOAT32, shape);
  }

  public static Tensor ones(DType dtype, long... shape) {
    return create(ONES, dtype, shape);
  }

  /** A float32 tensor filled with value ({@code torch.full(shape, 2.5)}). */
  public static Tensor full(double value, long... shape) {
    return full(value, DType.FLOAT32, shape);
  }

  /** An int64 tensor filled with value ({@code torch.full(shape, 7)}). */
  public static Tensor full(long value, long... shape) {
    try (Tensor v = scalar(value)) {
      return new Tensor(Core.call(FULL, Frame.of(new long[] {v.handle()}, Frame.concat(new long[] {DType.INT64.code()}, shape))));
    }
  }

  /** A tensor of dtype filled with an integer value ({@code torch.full(shape, -1, dtype=torch.uint8)} wraps to 255). */
  public static Tensor full(long value, DType dtype, long... shape) {
    try (Tensor v = scalar(value)) {
      return new Tensor(Core.call(FULL, Frame.of(new long[] {v.handle()}, Frame.concat(new long[] {dtype.code()}, shape))));
    }
  }

  public static Tensor full(double value, DType dtype, long... shape) {
    try (Tensor v = scalar(value, DType.FLOAT64)) {
      return new Tensor(Core.call(FULL, Frame.of(new long[] {v.handle()}, Frame.concat(new long[] {dtype.code()}, shape))));
    }
  }

  /** Zeros of t's dtype and shape, on t's device. */
  public static Tensor zerosLike(Tensor t) {
    return onDeviceOf(t, zeros(t.dtype(), t.shape()));
  }

  /** Ones of t's dtype and shape, on t's device. */
  public static Tensor onesLike(Tensor t) {
    return onDeviceOf(t, ones(t.dtype(), t.shape()));
  }

  /** made (a new tensor on the CPU) moved to t's device. */
  private static Tensor onDeviceOf(Tensor t, Tensor made) {
    if (!t.isCuda()) return made;
    try (Tensor host = made) {
      return host.to(t.device());
    }
  }

  /** int64 values 0, 1, ..., end - 1. */
  public static Tensor arange(long end) {
    return arange(0, end, 1);
  }

  public static Tensor arange(long start, long end) {
    return arange(start, end, 1);
  }

  public static Tensor arange(long start, long end, long step) {
    return arange(DType.INT64, start, end, step);
  }

  /** float32 values start, start + step, ... below end ({@code torch.arange(0.0, 1.0, 0.25)}). */
  public static Tensor arange(double start, double end, double step) {
    return arange(DType.FLOAT32, start, end, step);
  }

  public static Tensor arange(DType dtype, double start, double end, double step) {
    return new Tensor(Core.call(ARANGE, Frame.of(new long[0], new long[] {dtype.code()}, start, end, step)));
  }

  /** The n x n identity matrix. */
  public static Tensor eye(long n) {
    return eye(n, n);
  }

  public static Tensor eye(long n, long m) {
    return eye(DType.FLOAT32, n, m);
  }

  public static Tensor eye(DType dtype, long n, long m) {
    return new Tensor(Core.call(EYE, Frame.of(new long[0], new long[] {dtype.code(), n, m})));
  }

  /** Uniform on [0, 1), from the global generator. */
  public static Tensor rand(long... shape) {
    return random(RAND, null, DType.FLOAT32, shape);
  }

  public static Tensor rand(DType dtype, long... shape) {
    return random(RAND, null, dtype, shape);
  }

  public static Tensor rand(Generator generator, long... shape) {
    return random(RAND, Objects.requireNonNull(generator, "generator"), DType.FLOAT32, shape);
  }

  public static Tensor rand(Generator generator, DType dtype, long... shape) {
    return random(RAND, Objects.requireNonNull(generator, "generator"), dtype, shape);
  }

  /** Standard normal, from the global generator. */
  public static Tensor randn(long... shape) {
    return random(RANDN, null, DType.FLOAT32, shape);
  }

  public static Tensor randn(DType dtype, long... shape) {
    return random(RANDN, null, dtype, shape);
  }

  public static Tensor randn(Generator generator, long... shape) {
    return random(RANDN, Objects.requireNonNull(generator, "generator"), DType.FLOAT32, shape);
  }

  public static Tensor randn(Generator generator, DType dtype, long... shape) {
    return random(RANDN, Objects.requireNonNull(generator, "generator"), dtype, shape);
  }

  /** int64 values uniform on [low, high) ({@code torch.randint(low, high, shape)}), from the global generator. */
  public static Tensor randint(long low, long high, long... shape) {
    return RandomCalls.randint(null, DType.INT64, low, high, shape);
  }

  public static Tensor randint(DType dtype, long low, long high, long... shape) {
    return RandomCalls.randint(null, dtype, low, high, shape);
  }

  public static Tensor randint(Generator generator, long low, long high, long... shape) {
    return RandomCalls.randint(Objects.requireNonNull(generator, "generator"), DType.INT64, low, high, shape);
  }

  public static Tensor randint(Generator generator, DType dtype, long low, long high, long... shape) {
    return RandomCalls.randint(Objects.requireNonNull(generator, "generator"), dtype, low, high, shape);
  }

  /** A random permutation of 0 .. n-1, int64. */
  public static Tensor randperm(long n) {
    return RandomCalls.randperm(null, DType.INT64, n);
  }

  public static Tensor randperm(DType dtype, long n) {
    return RandomCalls.randperm(null, dtype, n);
  }

  public static Tensor randperm(Generator generator, long n) {
    return RandomCalls.randperm(Objects.requireNonNull(generator, "generator"), DType.INT64, n);
  }

  public static Tensor randperm(Generator generator, DType dtype, long n) {
    return RandomCalls.randperm(Objects.requireNonNull(generator, "generator"), dtype, n);
  }

  /** Uniform on [0, 1) in t's shape and (floating) dtype. */
  public static Tensor randLike(Tensor t) {
    return rand(t.dtype(), t.shape());
  }

  public static Tensor randLike(Generator generator, Tensor t) {
    return rand(generator, t.dtype(), t.shape());
  }

  /** Standard normal in t's shape and (floating) dtype. */
  public static Tensor randnLike(Tensor t) {
    return randn(t.dtype(), t.shape());
  }

  public static Tensor randnLike(Generator generator, Tensor t) {
    return randn(generator, t.dtype(), t.shape());
  }

  /** Uniform integers on [low, high) in t's shape and dtype. */
  public static Tensor randintLike(Tensor t, long low, long high) {
    return randint(t.dtype(), low, high, t.shape());
  }

  public static Tensor randintLike(Generator generator, Tensor t, long low, long high) {
    return randint(generator, t.dtype(), low, high, t.shape());
  }

  private static Tensor create(int op, DType dtype, long[] shape) {
    return new Tensor(Core.call(op, Frame.of(new long[0], Frame.concat(new long[] {dtype.code()}, shape))));
  }

  private static Tensor random(int op, Generator g, DType dtype, long[] shape) {
    long gen = g == null ? 0 : g.handle();
    return new Tensor(Core.call(op, Frame.of(new long[0], Frame.concat(new long[] {dtype.code(), gen}, shape))));
  }

  // ---------------------------------------------------------------- joining

  /** The tensors joined along dim 0 (dtypes promoted; 1-D empty tensors are skipped, as in PyTorch). */
  public static Tensor cat(Tensor... tensors) {
    return cat(List.of(tensors), 0);
  }

  /** {@code Tensor.cat(List.of(a, b), 1)}: joined along dim 1, which all but dim must agree on. */
  public static Tensor cat(List<Tensor> tensors, int dim) {
    return Calls.call(ShapeIds.CAT, Calls.handles(tensors), dim);
  }

  /** The tensors, all of one shape, stacked along a new dim 0. */
  public static Tensor stack(Tensor... tensors) {
    return stack(List.of(tensors), 0);
  }

  /** {@code Tensor.stack(List.of(a, b), 1)}: stacked along a new dim 1. */
  public static Tensor stack(List<Tensor> tensors, int dim) {
    return Calls.call(ShapeIds.STACK, Calls.handles(tensors), dim);
  }

  // ---------------------------------------------------------------- metadata

  /** The sizes of the dims ({@code x.shape}); a copy. */
  public long[] shape() {
    return shapeRef().clone();
  }

  private long[] shapeRef() {
    long h = liveHandle(); // a closed tensor has no shape, cached or not
    long[] s = shape;
    if (s == null) {
      s = new long[KilnNative.kiln_dim(h)];
      KilnNative.kiln_shape(h, s);
      shape = s;
    }
    Reference.reachabilityFence(this);
    return s;
  }

  /** The size of one dim; negative dims count from the end. */
  public long size(int dim) {
    long[] s = shapeRef();
    int d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length)
      throw new IndexException("size: dimension out of range (expected to be in range of [" + -s.length + ", " + (s.length - 1) + "], but got " + dim + ")");
    return s[d];
  }

  public int dim() {
    return shapeRef().length;
  }

  public long numel() {
    long n = 1;
    for (long s : shapeRef()) n *= s;
    return n;
  }

  public DType dtype() {
    long h = liveHandle(); // a closed tensor has no dtype, cached or not
    DType t = dtype;
    if (t == null) dtype = t = DType.fromCode(KilnNative.kiln_dtype(h));
    Reference.reachabilityFence(this);
    return t;
  }

  public Device device() {
    long h = liveHandle();
    Device d = Device.fromNative(KilnNative.kiln_device_type(h), KilnNative.kiln_device_index(h));
    Reference.reachabilityFence(this);
    return d;
  }

  /** Strides in elements. */
  public long[] stride() {
    long[] s = new long[dim()];
    KilnNative.kiln_strides(liveHandle(), s);
    Reference.reachabilityFence(this);
    return s;
  }

  public long stride(int dim) {
    long[] s = stride();
    int d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new IndexException("stride: dimension out of range, got " + dim + " for a " + s.length + "-D tensor");
    return s[d];
  }

  public long storageOffset() {
    long offset = KilnNative.kiln_storage_offset(liveHandle());
    Reference.reachabilityFence(this);
    return offset;
  }

  public boolean isContiguous() {
    boolean contiguous = KilnNative.kiln_is_contiguous(liveHandle()) != 0;
    Reference.reachabilityFence(this);
    return contiguous;
  }

  /** The address of the first element: equal for views of the same memory. */
  public long dataAddress() {
    long address = KilnNative.kiln_data_address(liveHandle());
    Reference.reachabilityFence(this);
    return address;
  }

  // ---------------------------------------------------------------- data

  /** The value of a one-element tensor, as a double. */
  public double item() {
    checkOneElement("item");
    return toDoubleArray()[0];
  }

  public long itemLong() {
    checkOneElement("itemLong");
    return toLongArray()[0];
  }

  public boolean itemBoolean() {
    checkOneElement("itemBoolean");
    return toBooleanArray()[0];
  }

  private void checkOneElement(String op) {
    if (numel() != 1)
      throw new ArgumentException(op + ": a Tensor with " + numel() + " elements cannot be converted to a scalar");
  }

  /** The elements in row-major order, converted to float. */
  public float[] toFloatArray() {
    float[] out = new float[checkedLength()];
    long h = handle();
    Core.run(() -> KilnNative.kiln_read_float(h, out, out.length));
    return out;
  }

  public double[] toDoubleArray() {
    double[] out = new double[checkedLength()];
    long h = handle();
    Core.run(() -> KilnNative.kiln_read_double(h, out, out.length));
    return out;
  }

  public long[] toLongArray() {
    long[] out = new long[checkedLength()];
    long h = handle();
    Core.run(() -> KilnNative.kiln_read_long(h, out, out.length));
    return out;
  }

  /** The elements converted to int (int32): integers wrap, floats truncate toward zero. */
  public int[] toIntArray() {
    int[] out = new int[checkedLength()];
    long h = handle();
    Core.run(() -> KilnNative.kiln_read_int(h, out, out.length));
    return out;
  }

  /** The elements' raw bytes in this tensor's dtype, row-major and little-endian (the inverse of fromBytes). */
  public byte[] toBytes() {
    long n = numel() * dtype().itemSize();
    if (n > Integer.MAX_VALUE - 8) throw new ArgumentException("a tensor of " + n + " bytes does not fit in a Java array");
    byte[] out = new byte[(int) n];
    long h = handle();
    Core.run(() -> KilnNative.kiln_read_bytes(h, out, out.length));
    return out;
  }

  public boolean[] toBooleanArray() {
    byte[] bytes = new byte[checkedLength()];
    long h = handle();
    Core.run(() -> KilnNative.kiln_read_bool(h, bytes, bytes.length));
    boolean[] out = new boolean[bytes.length];
    for (int i = 0; i < bytes.length; i++) out[i] = bytes[i] != 0;
    return out;
  }

  private int checkedLength() {
    long n = numel();
    if (n > Integer.MAX_VALUE - 8) throw new ArgumentException("a tensor of " + n + " elements does not fit in a Java array");
    return (int) n;
  }

  // ---------------------------------------------------------------- copies

  /**
   * Einstein summation over the operands, as torch.einsum: subscripts in [a-zA-Z], "..." for broadcast dims,
   * an optional "->" output (else the subscripts seen once, in order). {@code Tensor.einsum("bij,bjk->bik", a, b)}
   */
  public static Tensor einsum(String equation, Tensor... operands) {
    return Calls.einsum(equation, operands);
  }

  /** Elements of x where cond is true, else of y ({@code torch.where(cond, x, y)}); all broadcast. */
  public static Tensor where(Tensor cond, Tensor x, Tensor y) {
    return new Tensor(Core.call(WHERE, Frame.tensors(cond.handle(), x.handle(), y.handle())));
  }

  /** This tensor converted to dtype (this tensor itself, as a new handle, if it already has it). */
  public Tensor to(DType dtype) {
    return Calls.withInts(this, TO, dtype.code());
  }

  public Tensor clone() {
    return Calls.unary(this, CLONE);
  }

  /**
   * This tensor on device: a copy, which autograd differentiates (the gradient goes back to this tensor's
   * device), or this tensor itself, as a new handle, when it is there already. A CUDA device needs a build
   * with CUDA and a GPU; otherwise a {@link DeviceException} says which is missing.
   */
  public Tensor to(Device device) {
    return to(device, false);
  }

  /** {@link #to(Device)}, always a copy when copy is true (PyTorch's {@code to(device, copy=True)}). */
  public Tensor to(Device device, boolean copy) {
    if (!copy && device.equals(device())) return Calls.withInts(this, TO, dtype().code());
    return Calls.withInts(this, TO_DEVICE, device.type().ordinal(), device.index());
  }

  /** {@code to(Device.cuda(0))}. */
  public Tensor cuda() {
    return to(Device.cuda(0));
  }

  public Tensor cuda(int index) {
    return to(Device.cuda(index));
  }

  /** {@code to(Device.CPU)}. */
  public Tensor cpu() {
    return to(Device.CPU);
  }

  public boolean isCuda() {
    return device().type() == Device.Type.CUDA;
  }

  // ---------------------------------------------------------------- autograd

  /**
   * Sets whether autograd records ops on this leaf tensor (PyTorch's {@code requires_grad_}); returns
   * this. Only floating-point leaves can require grad.
   */
  public Tensor requiresGrad(boolean requiresGrad) {
    long h = handle();
    Callbacks.install();
    Core.run(() -> KilnNative.kiln_set_requires_grad(h, requiresGrad ? 1 : 0));
    return this;
  }

  /** Whether gradients flow to this tensor: a leaf that requires grad, or the result of recorded ops. */
  public boolean requiresGrad() {
    boolean requires = KilnNative.kiln_requires_grad(liveHandle()) != 0;
    Reference.reachabilityFence(this);
    return requires;
  }

  /** A tensor the user made (not the result of a recorded op). */
  public boolean isLeaf() {
    boolean leaf = KilnNative.kiln_is_leaf(liveHandle()) != 0;
    Reference.reachabilityFence(this);
    return leaf;
  }

  /** The gradient accumulated by backward, or null before any. */
  public Tensor grad() {
    long g = Core.handleOf(() -> KilnNative.kiln_grad(handle()));
    return g == 0 ? null : new Tensor(g);
  }

  /** Sets (or, with null, clears) the accumulated gradient. */
  public void setGrad(Tensor grad) {
    long h = handle();
    long g = grad == null ? 0 : grad.handle();
    Core.run(() -> KilnNative.kiln_set_grad(h, g));
  }

  /** The graph node that produced this tensor ({@code MulBackward0}), or null for a leaf. */
  public GradFn gradFn() {
    String name = KilnNative.kiln_grad_fn_name(liveHandle()).getString();
    Reference.reachabilityFence(this);
    return name.isEmpty() ? null : new GradFn(name);
  }

  /** Backward from this one-element tensor: accumulates d(this)/d(leaf) into each leaf's grad(). */
  public void backward() {
    backward(null, false, false);
  }

  /** Backward seeded with gradient (d(loss)/d(this)), for a tensor of any shape. */
  public void backward(Tensor gradient) {
    backward(gradient, false, false);
  }

  /**
   * @param gradient the seed, or null for 1 on a one-element tensor
   * @param retainGraph keep saved tensors for another backward through the same graph
   * @param createGraph record the backward, for higher-order derivatives
   */
  public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
    Callbacks.install();
    long[] out = {handle()};
    long[] g = {gradient == null ? 0 : gradient.handle()};
    Core.run(() -> KilnNative.kiln_backward(out, g, 1, retainGraph ? 1 : 0, createGraph ? 1 : 0));
  }

  /** The same data without history: a new leaf that shares this tensor's memory. */
  public Tensor detach() {
    return new Tensor(Core.handleOf(() -> KilnNative.kiln_detach(handle())));
  }

  /**
   * Replaces this leaf's memory and layout with src's, keeping this Tensor object, its requiresGrad flag
   * and the references to it (PyTorch's {@code t.data = src}); what optimizers and Module.to use.
   */
  public void setData(Tensor src) {
    long h = handle();
    long s = src.handle();
    Core.run(() -> KilnNative.kiln_set_data(h, s));
    shape = null;
    dtype = null;
  }

  /** Drops this tensor's history in place; returns this. */
  public Tensor detach_() {
    long h = handle();
    Core.run(() -> KilnNative.kiln_detach_(h));
    return this;
  }

  /** Keeps this non-leaf tensor's gradient in grad() after backward; returns this. */
  public Tensor retainGrad() {
    long h = handle();
    Core.run(() -> KilnNative.kiln_retain_grad(h));
    return this;
  }

  public boolean retainsGrad() {
    boolean retains = KilnNative.kiln_retains_grad(liveHandle()) != 0;
    Reference.reachabilityFence(this);
    return retains;
  }

  /**
   * Calls hook with this tensor's gradient whenever backward computes it; a non-null result replaces
   * the gradient. {@code x.registerHook(g -> g.mul(2))} doubles what flows back through x.
   */
  public RemovableHandle registerHook(UnaryOperator<Tensor> hook) {
    Objects.requireNonNull(hook, "hook");
    Callbacks.install();
    long h = handle();
    long javaId = Callbacks.registerHook(hook);
    long id;
    try {
      id = Core.handleOf(() -> KilnNative.kiln_register_hook(h, javaId));
    } catch (RuntimeException e) {
      Callbacks.forget(javaId);
      throw e;
    }
    return () -> {
      if (!isClosed()) KilnNative.kiln_remove_hook(liveHandle(), id);
      Reference.reachabilityFence(this);
    };
  }

  /** Whether this tensor was made in inference mode. */
  public boolean isInference() {
    boolean inference = KilnNative.kiln_is_inference(liveHandle()) != 0;
    Reference.reachabilityFence(this);
    return inference;
  }

  /** The version counter of this tensor's memory: in-place writes increment it ({@code x._version}). */
  public int version() {
    int v = KilnNative.kiln_version(liveHandle());
    Reference.reachabilityFence(this);
    return v;
  }

  // ---------------------------------------------------------------- lifetime and printing

  /** Releases this tensor's reference to its native memory; later calls do nothing. */
  @Override
  public void close() {
    ref.release();
  }

  public boolean isClosed() {
    return ref.isReleased();
  }

  /** The tensor as PyTorch prints it: {@code tensor([[1., 2.], [3., 4.]])}. */
  @Override
  public String toString() {
    if (isClosed()) return "tensor(<closed>)";
    List<String> suffixes = new ArrayList<>();
    GradFn fn = gradFn();
    if (fn != null) suffixes.add("grad_fn=<" + fn.name() + ">");
    else if (requiresGrad()) suffixes.add("requires_grad=True");
    return TensorFormatter.format(this, suffixes);
  }
}
