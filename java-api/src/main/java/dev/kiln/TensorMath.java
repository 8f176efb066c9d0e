package dev.kiln;

import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/**
 * Elementwise math of a Tensor: arithmetic with broadcasting and PyTorch's type promotion, math
 * functions, comparisons, where, and their in-place forms (ending in an underscore, returning the tensor).
 * Part of {@link Tensor}'s API; split out by family to keep files small.
 */
public sealed interface TensorMath permits Tensor {
  default Tensor add(Tensor other) {
    return Calls.binary(self(), MathIds.ADD, other);
  }

  default Tensor add(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.ADD, self().handle(), other));
  }

  default Tensor add(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.ADD, self().handle(), other));
  }

  default Tensor sub(Tensor other) {
    return Calls.binary(self(), MathIds.SUB, other);
  }

  default Tensor sub(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.SUB, self().handle(), other));
  }

  default Tensor sub(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.SUB, self().handle(), other));
  }

  default Tensor mul(Tensor other) {
    return Calls.binary(self(), MathIds.MUL, other);
  }

  default Tensor mul(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.MUL, self().handle(), other));
  }

  default Tensor mul(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.MUL, self().handle(), other));
  }

  /** True division: integer inputs give a float result, as in PyTorch. */
  default Tensor div(Tensor other) {
    return Calls.binary(self(), MathIds.DIV, other);
  }

  default Tensor div(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.DIV, self().handle(), other));
  }

  default Tensor div(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.DIV, self().handle(), other));
  }

  default Tensor pow(Tensor exponent) {
    return Calls.binary(self(), MathIds.POW, exponent);
  }

  default Tensor pow(double exponent) {
    return Tensor.adopt(Core.callScalar(MathIds.POW, self().handle(), exponent));
  }

  default Tensor pow(long exponent) {
    return Tensor.adopt(Core.callScalar(MathIds.POW, self().handle(), exponent));
  }

  default Tensor neg() {
    return Calls.unary(self(), MathIds.NEG);
  }

  default Tensor exp() {
    return Calls.unary(self(), MathIds.EXP);
  }

  default Tensor log() {
    return Calls.unary(self(), MathIds.LOG);
  }

  default Tensor sqrt() {
    return Calls.unary(self(), MathIds.SQRT);
  }

  default Tensor abs() {
    return Calls.unary(self(), MathIds.ABS);
  }

  default Tensor relu() {
    return Calls.unary(self(), MathIds.RELU);
  }

  default Tensor sigmoid() {
    return Calls.unary(self(), MathIds.SIGMOID);
  }

  default Tensor tanh() {
    return Calls.unary(self(), MathIds.TANH);
  }


  default Tensor eq(Tensor other) {
    return Calls.binary(self(), MathIds.EQ, other);
  }

  default Tensor eq(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.EQ, self().handle(), other));
  }

  default Tensor eq(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.EQ, self().handle(), other));
  }

  default Tensor ne(Tensor other) {
    return Calls.binary(self(), MathIds.NE, other);
  }

  default Tensor ne(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.NE, self().handle(), other));
  }

  default Tensor ne(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.NE, self().handle(), other));
  }

  default Tensor lt(Tensor other) {
    return Calls.binary(self(), MathIds.LT, other);
  }

  default Tensor lt(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.LT, self().handle(), other));
  }

  default Tensor lt(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.LT, self().handle(), other));
  }

  default Tensor le(Tensor other) {
    return Calls.binary(self(), MathIds.LE, other);
  }

  default Tensor le(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.LE, self().handle(), other));
  }

  default Tensor le(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.LE, self().handle(), other));
  }

  default Tensor gt(Tensor other) {
    return Calls.binary(self(), MathIds.GT, other);
  }

  default Tensor gt(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.GT, self().handle(), other));
  }

  default Tensor gt(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.GT, self().handle(), other));
  }

  default Tensor ge(Tensor other) {
    return Calls.binary(self(), MathIds.GE, other);
  }

  default Tensor ge(double other) {
    return Tensor.adopt(Core.callScalar(MathIds.GE, self().handle(), other));
  }

  default Tensor ge(long other) {
    return Tensor.adopt(Core.callScalar(MathIds.GE, self().handle(), other));
  }


  /** {@code x.where(cond, y)}: this where cond is true, else y. */
  default Tensor where(Tensor cond, Tensor other) {
    return Tensor.where(cond, self(), other);
  }

  default Tensor add_(Tensor other) {
    Core.callInPlace(MathIds.ADD, self().handle(), other.handle());
    return self();
  }

  default Tensor add_(double other) {
    Core.callInPlaceScalar(MathIds.ADD, self().handle(), other);
    return self();
  }

  default Tensor add_(long other) {
    Core.callInPlaceScalar(MathIds.ADD, self().handle(), other);
    return self();
  }

  default Tensor sub_(Tensor other) {
    Core.callInPlace(MathIds.SUB, self().handle(), other.handle());
    return self();
  }

  default Tensor sub_(double other) {
    Core.callInPlaceScalar(MathIds.SUB, self().handle(), other);
    return self();
  }

  default Tensor sub_(long other) {
    Core.callInPlaceScalar(MathIds.SUB, self().handle(), other);
    return self();
  }

  default Tensor mul_(Tensor other) {
    Core.callInPlace(MathIds.MUL, self().handle(), other.handle());
    return self();
  }

  default Tensor mul_(double other) {
    Core.callInPlaceScalar(MathIds.MUL, self().handle(), other);
    return self();
  }

  default Tensor mul_(long other) {
    Core.callInPlaceScalar(MathIds.MUL, self().handle(), other);
    return self();
  }

  default Tensor div_(Tensor other) {
    Core.callInPlace(MathIds.DIV, self().handle(), other.handle());
    return self();
  }

  default Tensor div_(double other) {
    Core.callInPlaceScalar(MathIds.DIV, self().handle(), other);
    return self();
  }

  default Tensor pow_(double exponent) {
    Core.callInPlaceScalar(MathIds.POW, self().handle(), exponent);
    return self();
  }

  default Tensor pow_(long exponent) {
    Core.callInPlaceScalar(MathIds.POW, self().handle(), exponent);
    return self();
  }

  default Tensor neg_() {
    return Calls.unaryInPlace(self(), MathIds.NEG);
  }

  default Tensor exp_() {
    return Calls.unaryInPlace(self(), MathIds.EXP);
  }

  default Tensor log_() {
    return Calls.unaryInPlace(self(), MathIds.LOG);
  }

  default Tensor sqrt_() {
    return Calls.unaryInPlace(self(), MathIds.SQRT);
  }

  default Tensor abs_() {
    return Calls.unaryInPlace(self(), MathIds.ABS);
  }

  default Tensor relu_() {
    return Calls.unaryInPlace(self(), MathIds.RELU);
  }

  default Tensor sigmoid_() {
    return Calls.unaryInPlace(self(), MathIds.SIGMOID);
  }

  default Tensor tanh_() {
    return Calls.unaryInPlace(self(), MathIds.TANH);
  }

  /** Sets every element to value (converted to this tensor's dtype). */
  default Tensor fill_(double value) {
    Core.callInPlaceScalar(MathIds.FILL_, self().handle(), value);
    return self();
  }

  default Tensor fill_(long value) {
    Core.callInPlaceScalar(MathIds.FILL_, self().handle(), value);
    return self();
  }

  default Tensor fill_(boolean value) {
    Core.callInPlaceScalar(MathIds.FILL_, self().handle(), value);
    return self();
  }

  /** Sets every element to the value of a 0-dim tensor (differentiable with respect to it). */
  default Tensor fill_(Tensor value) {
    Core.callInPlace(MathIds.FILL_, self().handle(), value.handle());
    return self();
  }

  default Tensor zero_() {
    Core.callInPlace(MathIds.ZERO_, Frame.tensors(self().handle()));
    return self();
  }

  /** Copies src (broadcast to this shape, converted to this dtype) into this tensor. */
  default Tensor copy_(Tensor src) {
    Core.callInPlace(MathIds.COPY_, self().handle(), src.handle());
    return self();
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorMath, resolved by name once. */
final class MathIds {
  static final int ABS = Core.op("abs"),
      ADD = Core.op("add"),
      COPY_ = Core.op("copy_"),
      DIV = Core.op("div"),
      EQ = Core.op("eq"),
      EXP = Core.op("exp"),
      FILL_ = Core.op("fill_"),
      GE = Core.op("ge"),
      GT = Core.op("gt"),
      LE = Core.op("le"),
      LOG = Core.op("log"),
      LT = Core.op("lt"),
      MUL = Core.op("mul"),
      NE = Core.op("ne"),
      NEG = Core.op("neg"),
      POW = Core.op("pow"),
      RELU = Core.op("relu"),
      SIGMOID = Core.op("sigmoid"),
      SQRT = Core.op("sqrt"),
      SUB = Core.op("sub"),
      TANH = Core.op("tanh"),
      ZERO_ = Core.op("zero_");

  private MathIds() {}
}
