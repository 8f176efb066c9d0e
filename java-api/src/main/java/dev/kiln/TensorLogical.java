package dev.kiln;

import dev.kiln.internal.Core;

/**
 * Tests, logic and bits of a Tensor: isnan and friends (bool results), logical ops (any dtype, nonzero is
 * true; bool results), bitwise ops (integer and bool tensors) and shifts (integer tensors), with their
 * in-place forms (a logical op in place writes 0 or 1 in this tensor's own dtype). Part of {@link Tensor}'s
 * API; split out by family to keep files small.
 *
 * <pre>{@code
 * Tensor.of(new float[] {1, Float.NaN}).isnan();   // tensor([False,  True])
 * }</pre>
 */
public sealed interface TensorLogical permits Tensor {
  default Tensor isnan() {
    return Calls.unary(self(), LogicalIds.ISNAN);
  }

  default Tensor isinf() {
    return Calls.unary(self(), LogicalIds.ISINF);
  }

  default Tensor isposinf() {
    return Calls.unary(self(), LogicalIds.ISPOSINF);
  }

  default Tensor isneginf() {
    return Calls.unary(self(), LogicalIds.ISNEGINF);
  }

  /** Neither NaN nor infinite (always true for integer tensors). */
  default Tensor isfinite() {
    return Calls.unary(self(), LogicalIds.ISFINITE);
  }

  /** Whether the sign bit is set: true for -0.0 and negative NaNs too. */
  default Tensor signbit() {
    return Calls.unary(self(), LogicalIds.SIGNBIT);
  }

  default Tensor logicalNot() {
    return Calls.unary(self(), LogicalIds.LOGICAL_NOT);
  }

  default Tensor logicalAnd(Tensor other) {
    return Calls.binary(self(), LogicalIds.LOGICAL_AND, other);
  }

  default Tensor logicalOr(Tensor other) {
    return Calls.binary(self(), LogicalIds.LOGICAL_OR, other);
  }

  default Tensor logicalXor(Tensor other) {
    return Calls.binary(self(), LogicalIds.LOGICAL_XOR, other);
  }

  default Tensor bitwiseNot() {
    return Calls.unary(self(), LogicalIds.BITWISE_NOT);
  }

  default Tensor bitwiseAnd(Tensor other) {
    return Calls.binary(self(), LogicalIds.BITWISE_AND, other);
  }

  default Tensor bitwiseAnd(long other) {
    return Tensor.adopt(Core.callScalar(LogicalIds.BITWISE_AND, self().handle(), other));
  }

  default Tensor bitwiseAnd(boolean other) {
    return Tensor.adopt(Core.callScalar(LogicalIds.BITWISE_AND, self().handle(), other));
  }

  default Tensor bitwiseOr(Tensor other) {
    return Calls.binary(self(), LogicalIds.BITWISE_OR, other);
  }

  default Tensor bitwiseOr(long other) {
    return Tensor.adopt(Core.callScalar(LogicalIds.BITWISE_OR, self().handle(), other));
  }

  default Tensor bitwiseOr(boolean other) {
    return Tensor.adopt(Core.callScalar(LogicalIds.BITWISE_OR, self().handle(), other));
  }

  default Tensor bitwiseXor(Tensor other) {
    return Calls.binary(self(), LogicalIds.BITWISE_XOR, other);
  }

  default Tensor bitwiseXor(long other) {
    return Tensor.adopt(Core.callScalar(LogicalIds.BITWISE_XOR, self().handle(), other));
  }

  default Tensor bitwiseXor(boolean other) {
    return Tensor.adopt(Core.callScalar(LogicalIds.BITWISE_XOR, self().handle(), other));
  }

  /** this << other; shifting by 64 or more (or a negative count) gives 0. */
  default Tensor bitwiseLeftShift(Tensor other) {
    return Calls.binary(self(), LogicalIds.LEFT_SHIFT, other);
  }

  default Tensor bitwiseLeftShift(long other) {
    return Tensor.adopt(Core.callScalar(LogicalIds.LEFT_SHIFT, self().handle(), other));
  }

  /** this >> other, arithmetic; shifting by 64 or more (or a negative count) leaves the sign. */
  default Tensor bitwiseRightShift(Tensor other) {
    return Calls.binary(self(), LogicalIds.RIGHT_SHIFT, other);
  }

  default Tensor bitwiseRightShift(long other) {
    return Tensor.adopt(Core.callScalar(LogicalIds.RIGHT_SHIFT, self().handle(), other));
  }

  // ---------------------------------------------------------------- in-place forms

  default Tensor logicalNot_() {
    return Calls.unaryInPlace(self(), LogicalIds.LOGICAL_NOT);
  }

  default Tensor logicalAnd_(Tensor other) {
    return binaryInPlace(LogicalIds.LOGICAL_AND, other);
  }

  default Tensor logicalOr_(Tensor other) {
    return binaryInPlace(LogicalIds.LOGICAL_OR, other);
  }

  default Tensor logicalXor_(Tensor other) {
    return binaryInPlace(LogicalIds.LOGICAL_XOR, other);
  }

  default Tensor bitwiseNot_() {
    return Calls.unaryInPlace(self(), LogicalIds.BITWISE_NOT);
  }

  default Tensor bitwiseAnd_(Tensor other) {
    return binaryInPlace(LogicalIds.BITWISE_AND, other);
  }

  default Tensor bitwiseAnd_(long other) {
    Core.callInPlaceScalar(LogicalIds.BITWISE_AND, self().handle(), other);
    return self();
  }

  default Tensor bitwiseOr_(Tensor other) {
    return binaryInPlace(LogicalIds.BITWISE_OR, other);
  }

  default Tensor bitwiseOr_(long other) {
    Core.callInPlaceScalar(LogicalIds.BITWISE_OR, self().handle(), other);
    return self();
  }

  default Tensor bitwiseXor_(Tensor other) {
    return binaryInPlace(LogicalIds.BITWISE_XOR, other);
  }

  default Tensor bitwiseXor_(long other) {
    Core.callInPlaceScalar(LogicalIds.BITWISE_XOR, self().handle(), other);
    return self();
  }

  default Tensor bitwiseLeftShift_(Tensor other) {
    return binaryInPlace(LogicalIds.LEFT_SHIFT, other);
  }

  default Tensor bitwiseLeftShift_(long other) {
    Core.callInPlaceScalar(LogicalIds.LEFT_SHIFT, self().handle(), other);
    return self();
  }

  default Tensor bitwiseRightShift_(Tensor other) {
    return binaryInPlace(LogicalIds.RIGHT_SHIFT, other);
  }

  default Tensor bitwiseRightShift_(long other) {
    Core.callInPlaceScalar(LogicalIds.RIGHT_SHIFT, self().handle(), other);
    return self();
  }

  private Tensor binaryInPlace(int op, Tensor other) {
    Core.callInPlace(op, self().handle(), other.handle());
    return self();
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorLogical, resolved by name once. */
final class LogicalIds {
  static final int BITWISE_AND = Core.op("bitwise_and"),
      BITWISE_NOT = Core.op("bitwise_not"),
      BITWISE_OR = Core.op("bitwise_or"),
      BITWISE_XOR = Core.op("bitwise_xor"),
      ISFINITE = Core.op("isfinite"),
      ISINF = Core.op("isinf"),
      ISNAN = Core.op("isnan"),
      ISNEGINF = Core.op("isneginf"),
      ISPOSINF = Core.op("isposinf"),
      LEFT_SHIFT = Core.op("bitwise_left_shift"),
      LOGICAL_AND = Core.op("logical_and"),
      LOGICAL_NOT = Core.op("logical_not"),
      LOGICAL_OR = Core.op("logical_or"),
      LOGICAL_XOR = Core.op("logical_xor"),
      RIGHT_SHIFT = Core.op("bitwise_right_shift"),
      SIGNBIT = Core.op("signbit");

  private LogicalIds() {}
}
