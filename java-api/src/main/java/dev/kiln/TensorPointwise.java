package dev.kiln;

import dev.kiln.internal.Core;

/**
 * Clamping, NaN replacement and elementwise math of two or three tensors: maximum, minimum, fmod, remainder,
 * floorDivide, atan2, lerp, addcmul, addcdiv, with broadcasting and PyTorch's type promotion (a Java scalar
 * counts as a wrapped number), and their in-place forms. Part of {@link Tensor}'s API; split out by family to
 * keep files small.
 *
 * <pre>{@code
 * Tensor.of(new float[] {-2, 0.5f, 3}).clamp(0, 1);   // tensor([0.0000, 0.5000, 1.0000])
 * }</pre>
 */
public sealed interface TensorPointwise permits Tensor {
  /** min(max(x, min), max); a NaN bound is ignored, as with PyTorch's scalar bounds. */
  default Tensor clamp(double min, double max) {
    return clampScalars(false, Calls.wrapped(min), Calls.wrapped(max));
  }

  /** Integer bounds keep an integer tensor's dtype (they must fit it: 300 does not fit int8). */
  default Tensor clamp(long min, long max) {
    return clampScalars(false, Calls.wrapped(min), Calls.wrapped(max));
  }

  /**
   * Clamps to tensor bounds (broadcast with this tensor); either may be null, not both. A NaN bound gives NaN.
   * Where min > max the result is max.
   */
  default Tensor clamp(Tensor min, Tensor max) {
    return Calls.call(PointwiseIds.CLAMP, clampTensors(min, max), clampFlags(min, max));
  }

  default Tensor clampMin(double min) {
    return binaryScalar(PointwiseIds.CLAMP_MIN, Calls.wrapped(min), false);
  }

  default Tensor clampMin(long min) {
    return binaryScalar(PointwiseIds.CLAMP_MIN, Calls.wrapped(min), false);
  }

  default Tensor clampMin(Tensor min) {
    return Calls.binary(self(), PointwiseIds.CLAMP_MIN, min);
  }

  default Tensor clampMax(double max) {
    return binaryScalar(PointwiseIds.CLAMP_MAX, Calls.wrapped(max), false);
  }

  default Tensor clampMax(long max) {
    return binaryScalar(PointwiseIds.CLAMP_MAX, Calls.wrapped(max), false);
  }

  default Tensor clampMax(Tensor max) {
    return Calls.binary(self(), PointwiseIds.CLAMP_MAX, max);
  }

  /** NaN to 0, +-inf to the largest finite values of this tensor's dtype; integer tensors are copied. */
  default Tensor nanToNum() {
    return Calls.call(PointwiseIds.NAN_TO_NUM, new long[] {self().handle()}, new long[] {0, 0, 0}, 0, 0, 0);
  }

  default Tensor nanToNum(double nan) {
    return Calls.call(PointwiseIds.NAN_TO_NUM, new long[] {self().handle()}, new long[] {1, 0, 0}, nan, 0, 0);
  }

  default Tensor nanToNum(double nan, double posinf, double neginf) {
    return Calls.call(PointwiseIds.NAN_TO_NUM, new long[] {self().handle()}, new long[] {1, 1, 1}, nan, posinf, neginf);
  }

  /** The larger of each pair (NaN if either is NaN). */
  default Tensor maximum(Tensor other) {
    return Calls.binary(self(), PointwiseIds.MAXIMUM, other);
  }

  default Tensor minimum(Tensor other) {
    return Calls.binary(self(), PointwiseIds.MINIMUM, other);
  }

  /** C's fmod: the remainder of truncated division, with the sign of this tensor. */
  default Tensor fmod(Tensor other) {
    return Calls.binary(self(), PointwiseIds.FMOD, other);
  }

  default Tensor fmod(double other) {
    return Tensor.adopt(Core.callScalar(PointwiseIds.FMOD, self().handle(), other));
  }

  default Tensor fmod(long other) {
    return Tensor.adopt(Core.callScalar(PointwiseIds.FMOD, self().handle(), other));
  }

  /** Python's %: the remainder of floor division, with the sign of the divisor. */
  default Tensor remainder(Tensor other) {
    return Calls.binary(self(), PointwiseIds.REMAINDER, other);
  }

  default Tensor remainder(double other) {
    return Tensor.adopt(Core.callScalar(PointwiseIds.REMAINDER, self().handle(), other));
  }

  default Tensor remainder(long other) {
    return Tensor.adopt(Core.callScalar(PointwiseIds.REMAINDER, self().handle(), other));
  }

  /** Python's //: floor(this / other), in the promoted dtype (integers stay integers). */
  default Tensor floorDivide(Tensor other) {
    return Calls.binary(self(), PointwiseIds.FLOOR_DIVIDE, other);
  }

  default Tensor floorDivide(double other) {
    return Tensor.adopt(Core.callScalar(PointwiseIds.FLOOR_DIVIDE, self().handle(), other));
  }

  default Tensor floorDivide(long other) {
    return Tensor.adopt(Core.callScalar(PointwiseIds.FLOOR_DIVIDE, self().handle(), other));
  }

  /** The angle of the point (other, this): atan(this / other) in the right quadrant. */
  default Tensor atan2(Tensor other) {
    return Calls.binary(self(), PointwiseIds.ATAN2, other);
  }

  /** this + weight * (end - this), exact at weight 0 and 1; end must have this tensor's (floating) dtype. */
  default Tensor lerp(Tensor end, double weight) {
    long w = Calls.wrapped(weight);
    try {
      return Calls.call(PointwiseIds.LERP, new long[] {self().handle(), end.handle(), w}, Calls.NO_INTS);
    } finally {
      Calls.release(w);
    }
  }

  default Tensor lerp(Tensor end, Tensor weight) {
    return Calls.call(PointwiseIds.LERP, new long[] {self().handle(), end.handle(), weight.handle()}, Calls.NO_INTS);
  }

  /** this + value * t1 * t2. */
  default Tensor addcmul(Tensor t1, Tensor t2) {
    return addcmul(t1, t2, 1L);
  }

  default Tensor addcmul(Tensor t1, Tensor t2, double value) {
    return Calls.call(PointwiseIds.ADDCMUL, handles(t1, t2), new long[] {0, 0}, value);
  }

  default Tensor addcmul(Tensor t1, Tensor t2, long value) {
    return Calls.call(PointwiseIds.ADDCMUL, handles(t1, t2), new long[] {1, value}, value);
  }

  /** this + value * t1 / t2 (t1 and t2 may not both be integer tensors). */
  default Tensor addcdiv(Tensor t1, Tensor t2) {
    return addcdiv(t1, t2, 1L);
  }

  default Tensor addcdiv(Tensor t1, Tensor t2, double value) {
    return Calls.call(PointwiseIds.ADDCDIV, handles(t1, t2), new long[] {0, 0}, value);
  }

  default Tensor addcdiv(Tensor t1, Tensor t2, long value) {
    return Calls.call(PointwiseIds.ADDCDIV, handles(t1, t2), new long[] {1, value}, value);
  }

  // ---------------------------------------------------------------- in-place forms

  default Tensor clamp_(double min, double max) {
    return clampScalars(true, Calls.wrapped(min), Calls.wrapped(max));
  }

  default Tensor clamp_(long min, long max) {
    return clampScalars(true, Calls.wrapped(min), Calls.wrapped(max));
  }

  default Tensor clamp_(Tensor min, Tensor max) {
    return Calls.callInPlace(self(), PointwiseIds.CLAMP, clampTensors(min, max), clampFlags(min, max));
  }

  default Tensor clampMin_(double min) {
    return binaryScalar(PointwiseIds.CLAMP_MIN, Calls.wrapped(min), true);
  }

  default Tensor clampMin_(long min) {
    return binaryScalar(PointwiseIds.CLAMP_MIN, Calls.wrapped(min), true);
  }

  default Tensor clampMin_(Tensor min) {
    Core.callInPlace(PointwiseIds.CLAMP_MIN, self().handle(), min.handle());
    return self();
  }

  default Tensor clampMax_(double max) {
    return binaryScalar(PointwiseIds.CLAMP_MAX, Calls.wrapped(max), true);
  }

  default Tensor clampMax_(long max) {
    return binaryScalar(PointwiseIds.CLAMP_MAX, Calls.wrapped(max), true);
  }

  default Tensor clampMax_(Tensor max) {
    Core.callInPlace(PointwiseIds.CLAMP_MAX, self().handle(), max.handle());
    return self();
  }

  default Tensor nanToNum_() {
    return Calls.callInPlace(self(), PointwiseIds.NAN_TO_NUM, new long[] {self().handle()}, new long[] {0, 0, 0}, 0, 0, 0);
  }

  default Tensor nanToNum_(double nan, double posinf, double neginf) {
    return Calls.callInPlace(self(), PointwiseIds.NAN_TO_NUM, new long[] {self().handle()}, new long[] {1, 1, 1}, nan,
        posinf, neginf);
  }

  default Tensor fmod_(Tensor other) {
    Core.callInPlace(PointwiseIds.FMOD, self().handle(), other.handle());
    return self();
  }

  default Tensor fmod_(double other) {
    Core.callInPlaceScalar(PointwiseIds.FMOD, self().handle(), other);
    return self();
  }

  default Tensor fmod_(long other) {
    Core.callInPlaceScalar(PointwiseIds.FMOD, self().handle(), other);
    return self();
  }

  default Tensor remainder_(Tensor other) {
    Core.callInPlace(PointwiseIds.REMAINDER, self().handle(), other.handle());
    return self();
  }

  default Tensor remainder_(double other) {
    Core.callInPlaceScalar(PointwiseIds.REMAINDER, self().handle(), other);
    return self();
  }

  default Tensor remainder_(long other) {
    Core.callInPlaceScalar(PointwiseIds.REMAINDER, self().handle(), other);
    return self();
  }

  default Tensor floorDivide_(Tensor other) {
    Core.callInPlace(PointwiseIds.FLOOR_DIVIDE, self().handle(), other.handle());
    return self();
  }

  default Tensor floorDivide_(double other) {
    Core.callInPlaceScalar(PointwiseIds.FLOOR_DIVIDE, self().handle(), other);
    return self();
  }

  default Tensor floorDivide_(long other) {
    Core.callInPlaceScalar(PointwiseIds.FLOOR_DIVIDE, self().handle(), other);
    return self();
  }

  default Tensor atan2_(Tensor other) {
    Core.callInPlace(PointwiseIds.ATAN2, self().handle(), other.handle());
    return self();
  }

  default Tensor lerp_(Tensor end, double weight) {
    long w = Calls.wrapped(weight);
    try {
      return Calls.callInPlace(self(), PointwiseIds.LERP, new long[] {self().handle(), end.handle(), w}, Calls.NO_INTS);
    } finally {
      Calls.release(w);
    }
  }

  default Tensor lerp_(Tensor end, Tensor weight) {
    return Calls.callInPlace(self(), PointwiseIds.LERP, new long[] {self().handle(), end.handle(), weight.handle()},
        Calls.NO_INTS);
  }

  default Tensor addcmul_(Tensor t1, Tensor t2, double value) {
    return Calls.callInPlace(self(), PointwiseIds.ADDCMUL, handles(t1, t2), new long[] {0, 0}, value);
  }

  default Tensor addcmul_(Tensor t1, Tensor t2, long value) {
    return Calls.callInPlace(self(), PointwiseIds.ADDCMUL, handles(t1, t2), new long[] {1, value}, value);
  }

  default Tensor addcdiv_(Tensor t1, Tensor t2, double value) {
    return Calls.callInPlace(self(), PointwiseIds.ADDCDIV, handles(t1, t2), new long[] {0, 0}, value);
  }

  default Tensor addcdiv_(Tensor t1, Tensor t2, long value) {
    return Calls.callInPlace(self(), PointwiseIds.ADDCDIV, handles(t1, t2), new long[] {1, value}, value);
  }

  private Tensor clampScalars(boolean inPlace, long min, long max) {
    try {
      long[] in = {self().handle(), min, max};
      long[] flags = {1, 1};
      return inPlace ? Calls.callInPlace(self(), PointwiseIds.CLAMP, in, flags) : Calls.call(PointwiseIds.CLAMP, in, flags);
    } finally {
      Calls.release(min, max);
    }
  }

  private Tensor binaryScalar(int op, long scalar, boolean inPlace) {
    try {
      long[] in = {self().handle(), scalar};
      return inPlace ? Calls.callInPlace(self(), op, in, Calls.NO_INTS) : Calls.call(op, in, Calls.NO_INTS);
    } finally {
      Calls.release(scalar);
    }
  }

  private long[] clampTensors(Tensor min, Tensor max) {
    if (min == null && max == null) throw new ArgumentException("clamp: at least one of 'min' or 'max' must not be null");
    if (min == null) return new long[] {self().handle(), max.handle()};
    if (max == null) return new long[] {self().handle(), min.handle()};
    return new long[] {self().handle(), min.handle(), max.handle()};
  }

  private static long[] clampFlags(Tensor min, Tensor max) {
    return new long[] {min != null ? 1 : 0, max != null ? 1 : 0};
  }

  private long[] handles(Tensor t1, Tensor t2) {
    return new long[] {self().handle(), t1.handle(), t2.handle()};
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorPointwise, resolved by name once. */
final class PointwiseIds {
  static final int ADDCDIV = Core.op("addcdiv"),
      ADDCMUL = Core.op("addcmul"),
      ATAN2 = Core.op("atan2"),
      CLAMP = Core.op("clamp"),
      CLAMP_MAX = Core.op("clamp_max"),
      CLAMP_MIN = Core.op("clamp_min"),
      FLOOR_DIVIDE = Core.op("floor_divide"),
      FMOD = Core.op("fmod"),
      LERP = Core.op("lerp"),
      MAXIMUM = Core.op("maximum"),
      MINIMUM = Core.op("minimum"),
      NAN_TO_NUM = Core.op("nan_to_num"),
      REMAINDER = Core.op("remainder");

  private PointwiseIds() {}
}
