package dev.kiln;

import dev.kiln.internal.Core;

/**
 * Math functions of a Tensor: logarithms and exponentials, trigonometric and hyperbolic functions, erf,
 * rounding, and their in-place forms. Integer and bool tensors give float32 results (the default float type),
 * float16 and bfloat16 compute in float32 and round each result. Part of {@link Tensor}'s API; split out by
 * family to keep files small.
 *
 * <pre>{@code
 * Tensor.of(new float[] {0, 1}).expm1();   // tensor([0.0000, 1.7183])
 * }</pre>
 */
public sealed interface TensorFunctions permits Tensor {
  /** log(1 + x), accurate for small x. */
  default Tensor log1p() {
    return Calls.unary(self(), FunctionIds.LOG1P);
  }

  /** exp(x) - 1, accurate for small x. */
  default Tensor expm1() {
    return Calls.unary(self(), FunctionIds.EXPM1);
  }

  default Tensor log2() {
    return Calls.unary(self(), FunctionIds.LOG2);
  }

  default Tensor log10() {
    return Calls.unary(self(), FunctionIds.LOG10);
  }

  /** 2^x. */
  default Tensor exp2() {
    return Calls.unary(self(), FunctionIds.EXP2);
  }

  /** 1 / sqrt(x). */
  default Tensor rsqrt() {
    return Calls.unary(self(), FunctionIds.RSQRT);
  }

  /** 1 / x (integer tensors give float32). */
  default Tensor reciprocal() {
    return Calls.unary(self(), FunctionIds.RECIPROCAL);
  }

  default Tensor sin() {
    return Calls.unary(self(), FunctionIds.SIN);
  }

  default Tensor cos() {
    return Calls.unary(self(), FunctionIds.COS);
  }

  default Tensor tan() {
    return Calls.unary(self(), FunctionIds.TAN);
  }

  default Tensor asin() {
    return Calls.unary(self(), FunctionIds.ASIN);
  }

  default Tensor acos() {
    return Calls.unary(self(), FunctionIds.ACOS);
  }

  default Tensor atan() {
    return Calls.unary(self(), FunctionIds.ATAN);
  }

  default Tensor sinh() {
    return Calls.unary(self(), FunctionIds.SINH);
  }

  default Tensor cosh() {
    return Calls.unary(self(), FunctionIds.COSH);
  }

  default Tensor asinh() {
    return Calls.unary(self(), FunctionIds.ASINH);
  }

  default Tensor acosh() {
    return Calls.unary(self(), FunctionIds.ACOSH);
  }

  default Tensor atanh() {
    return Calls.unary(self(), FunctionIds.ATANH);
  }

  /** The error function. */
  default Tensor erf() {
    return Calls.unary(self(), FunctionIds.ERF);
  }

  /** The inverse error function: erfinv(erf(x)) == x. */
  default Tensor erfinv() {
    return Calls.unary(self(), FunctionIds.ERFINV);
  }

  /** -1, 0 or 1 (0 for NaN), in this tensor's dtype. */
  default Tensor sign() {
    return Calls.unary(self(), FunctionIds.SIGN);
  }

  /** Integer tensors are copied unchanged. */
  default Tensor floor() {
    return Calls.unary(self(), FunctionIds.FLOOR);
  }

  default Tensor ceil() {
    return Calls.unary(self(), FunctionIds.CEIL);
  }

  /** Rounds half to even, as PyTorch: 2.5 -> 2, 3.5 -> 4. */
  default Tensor round() {
    return Calls.unary(self(), FunctionIds.ROUND);
  }

  default Tensor trunc() {
    return Calls.unary(self(), FunctionIds.TRUNC);
  }

  /** x - trunc(x) (floating tensors only). */
  default Tensor frac() {
    return Calls.unary(self(), FunctionIds.FRAC);
  }

  /** x squared ({@code pow(x, 2)}: bool tensors give int64, as in PyTorch). */
  default Tensor square() {
    return Calls.unary(self(), FunctionIds.SQUARE);
  }

  /** Rounds to the given number of decimals (negative: to tens, hundreds, ...), half to even. */
  default Tensor round(int decimals) {
    return Calls.call(FunctionIds.ROUND, new long[] {self().handle()}, new long[] {decimals});
  }

  default Tensor log1p_() {
    return Calls.unaryInPlace(self(), FunctionIds.LOG1P);
  }

  default Tensor expm1_() {
    return Calls.unaryInPlace(self(), FunctionIds.EXPM1);
  }

  default Tensor log2_() {
    return Calls.unaryInPlace(self(), FunctionIds.LOG2);
  }

  default Tensor log10_() {
    return Calls.unaryInPlace(self(), FunctionIds.LOG10);
  }

  default Tensor exp2_() {
    return Calls.unaryInPlace(self(), FunctionIds.EXP2);
  }

  default Tensor rsqrt_() {
    return Calls.unaryInPlace(self(), FunctionIds.RSQRT);
  }

  default Tensor reciprocal_() {
    return Calls.unaryInPlace(self(), FunctionIds.RECIPROCAL);
  }

  default Tensor sin_() {
    return Calls.unaryInPlace(self(), FunctionIds.SIN);
  }

  default Tensor cos_() {
    return Calls.unaryInPlace(self(), FunctionIds.COS);
  }

  default Tensor tan_() {
    return Calls.unaryInPlace(self(), FunctionIds.TAN);
  }

  default Tensor asin_() {
    return Calls.unaryInPlace(self(), FunctionIds.ASIN);
  }

  default Tensor acos_() {
    return Calls.unaryInPlace(self(), FunctionIds.ACOS);
  }

  default Tensor atan_() {
    return Calls.unaryInPlace(self(), FunctionIds.ATAN);
  }

  default Tensor sinh_() {
    return Calls.unaryInPlace(self(), FunctionIds.SINH);
  }

  default Tensor cosh_() {
    return Calls.unaryInPlace(self(), FunctionIds.COSH);
  }

  default Tensor asinh_() {
    return Calls.unaryInPlace(self(), FunctionIds.ASINH);
  }

  default Tensor acosh_() {
    return Calls.unaryInPlace(self(), FunctionIds.ACOSH);
  }

  default Tensor atanh_() {
    return Calls.unaryInPlace(self(), FunctionIds.ATANH);
  }

  default Tensor erf_() {
    return Calls.unaryInPlace(self(), FunctionIds.ERF);
  }

  default Tensor erfinv_() {
    return Calls.unaryInPlace(self(), FunctionIds.ERFINV);
  }

  default Tensor sign_() {
    return Calls.unaryInPlace(self(), FunctionIds.SIGN);
  }

  default Tensor floor_() {
    return Calls.unaryInPlace(self(), FunctionIds.FLOOR);
  }

  default Tensor ceil_() {
    return Calls.unaryInPlace(self(), FunctionIds.CEIL);
  }

  default Tensor round_() {
    return Calls.unaryInPlace(self(), FunctionIds.ROUND);
  }

  default Tensor trunc_() {
    return Calls.unaryInPlace(self(), FunctionIds.TRUNC);
  }

  default Tensor frac_() {
    return Calls.unaryInPlace(self(), FunctionIds.FRAC);
  }

  default Tensor square_() {
    return self().pow_(2L);
  }

  default Tensor round_(int decimals) {
    return Calls.callInPlace(self(), FunctionIds.ROUND, new long[] {self().handle()}, new long[] {decimals});
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorFunctions, resolved by name once. */
final class FunctionIds {
  static final int ACOS = Core.op("acos"),
      ACOSH = Core.op("acosh"),
      ASIN = Core.op("asin"),
      ASINH = Core.op("asinh"),
      ATAN = Core.op("atan"),
      ATANH = Core.op("atanh"),
      CEIL = Core.op("ceil"),
      COS = Core.op("cos"),
      COSH = Core.op("cosh"),
      ERF = Core.op("erf"),
      ERFINV = Core.op("erfinv"),
      EXP2 = Core.op("exp2"),
      EXPM1 = Core.op("expm1"),
      FLOOR = Core.op("floor"),
      FRAC = Core.op("frac"),
      LOG10 = Core.op("log10"),
      LOG1P = Core.op("log1p"),
      LOG2 = Core.op("log2"),
      RECIPROCAL = Core.op("reciprocal"),
      ROUND = Core.op("round"),
      RSQRT = Core.op("rsqrt"),
      SIGN = Core.op("sign"),
      SIN = Core.op("sin"),
      SINH = Core.op("sinh"),
      SQUARE = Core.op("square"),
      TAN = Core.op("tan"),
      TRUNC = Core.op("trunc");

  private FunctionIds() {}
}
