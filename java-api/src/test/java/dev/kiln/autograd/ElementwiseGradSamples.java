package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.awayFromZero;
import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.positive;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.Tensor;

/** gradcheck samples: elementwise ops, where, math functions, rounding, clamping and the math of two and three tensors. */
final class ElementwiseGradSamples {
  private ElementwiseGradSamples() {}

  static void register(GradSamples s) {
    s.sample("add", "broadcast", in -> of(in[0].add(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("add", "scalar", in -> of(in[0].add(2.5)), () -> of(randn(3)));
    s.sample("sub", "broadcast", in -> of(in[0].sub(in[1])), () -> of(randn(2, 1), randn(3)));
    s.sample("mul", "broadcast", in -> of(in[0].mul(in[1])), () -> of(randn(2, 3), randn(2, 1)));
    s.sample("div", "broadcast", in -> of(in[0].div(in[1])), () -> of(randn(2, 3), positive(0.5, 3)));
    s.sample("pow", "tensor exponent", in -> of(in[0].pow(in[1])), () -> of(positive(0.5, 2, 3), randn(3)));
    s.sample("pow", "scalar exponent", in -> of(in[0].pow(2.5)), () -> of(positive(0.5, 4)));
    s.sample("pow", "integer exponent", in -> of(in[0].pow(3)), () -> of(randn(4)));
    s.sample("neg", "", in -> of(in[0].neg()), () -> of(randn(2, 2)));
    s.sample("exp", "", in -> of(in[0].exp()), () -> of(randn(2, 2)));
    s.sample("log", "", in -> of(in[0].log()), () -> of(positive(0.5, 2, 2)));
    s.sample("sqrt", "", in -> of(in[0].sqrt()), () -> of(positive(0.5, 2, 2)));
    s.sample("abs", "", in -> of(in[0].abs()), () -> of(awayFromZero(2, 3)));
    s.sample("relu", "", in -> of(in[0].relu()), () -> of(awayFromZero(2, 3)));
    s.sample("sigmoid", "", in -> of(in[0].sigmoid()), () -> of(randn(2, 3)));
    s.sample("tanh", "", in -> of(in[0].tanh()), () -> of(randn(2, 3)));
    s.sample("where", "", in -> of(Tensor.where(in[2].gt(0), in[0], in[1])), () -> of(randn(2, 3), randn(3), randn(2, 3)));
    registerMath(s);
  }

  /** The math functions, rounding, clamping and the math of two and three tensors. */
  private static void registerMath(GradSamples s) {
    s.sample("log1p", "", in -> of(in[0].log1p()), () -> of(positive(-0.5, 2, 2)));
    s.sample("expm1", "", in -> of(in[0].expm1()), () -> of(randn(2, 2)));
    s.sample("log2", "", in -> of(in[0].log2()), () -> of(positive(0.5, 2, 2)));
    s.sample("log10", "", in -> of(in[0].log10()), () -> of(positive(0.5, 2, 2)));
    s.sample("exp2", "", in -> of(in[0].exp2()), () -> of(randn(2, 2)));
    s.sample("rsqrt", "", in -> of(in[0].rsqrt()), () -> of(positive(0.5, 2, 2)));
    s.sample("reciprocal", "", in -> of(in[0].reciprocal()), () -> of(awayFromZero(2, 3)));
    s.sample("square", "", in -> of(in[0].square()), () -> of(randn(2, 3)));
    s.sample("sin", "", in -> of(in[0].sin()), () -> of(randn(2, 3)));
    s.sample("cos", "", in -> of(in[0].cos()), () -> of(randn(2, 3)));
    s.sample("tan", "", in -> of(in[0].tan()), () -> of(positive(-0.5, 2, 3)));
    s.sample("asin", "", in -> of(in[0].asin()), () -> of(positive(-0.5, 2, 3)));
    s.sample("acos", "", in -> of(in[0].acos()), () -> of(positive(-0.5, 2, 3)));
    s.sample("atan", "", in -> of(in[0].atan()), () -> of(randn(2, 3)));
    s.sample("sinh", "", in -> of(in[0].sinh()), () -> of(randn(2, 3)));
    s.sample("cosh", "", in -> of(in[0].cosh()), () -> of(randn(2, 3)));
    s.sample("asinh", "", in -> of(in[0].asinh()), () -> of(randn(2, 3)));
    s.sample("acosh", "", in -> of(in[0].acosh()), () -> of(positive(1.5, 2, 3)));
    s.sample("atanh", "", in -> of(in[0].atanh()), () -> of(positive(-0.5, 2, 3)));
    s.sample("erf", "", in -> of(in[0].erf()), () -> of(randn(2, 3)));
    s.sample("erfinv", "", in -> of(in[0].erfinv()), () -> of(positive(-0.5, 2, 3)));
    // Step functions: zero derivatives, away from their jumps.
    s.sample("sign", "", in -> of(in[0].sign()), () -> of(awayFromZero(2, 3)));
    s.sample("floor", "", in -> of(in[0].floor()), () -> of(randn(2, 3)));
    s.sample("ceil", "", in -> of(in[0].ceil()), () -> of(randn(2, 3)));
    s.sample("round", "", in -> of(in[0].round()), () -> of(randn(2, 3)));
    s.sample("round", "decimals", in -> of(in[0].round(2)), () -> of(randn(2, 3)));
    s.sample("trunc", "", in -> of(in[0].trunc()), () -> of(randn(2, 3)));
    s.sample("frac", "", in -> of(in[0].frac()), () -> of(randn(2, 3)));
    s.sample("clamp", "scalar bounds", in -> of(in[0].clamp(-0.5, 0.7)), () -> of(awayFromZero(2, 3)));
    s.sample("clamp", "tensor bounds", in -> of(in[0].clamp(in[1], in[2])),
        () -> of(randn(2, 3), randn(3).sub(1), randn(2, 1).add(1)));
    s.sample("clamp", "tensor min", in -> of(in[0].clamp(in[1], null)), () -> of(randn(2, 3), randn(3)));
    s.sample("clamp_min", "", in -> of(in[0].clampMin(in[1])), () -> of(randn(2, 3), randn(2, 1)));
    s.sample("clamp_min", "scalar", in -> of(in[0].clampMin(0.05)), () -> of(awayFromZero(2, 3)));
    s.sample("clamp_max", "", in -> of(in[0].clampMax(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("nan_to_num", "", in -> of(in[0].nanToNum()), () -> of(randn(2, 3)));
    s.sample("maximum", "", in -> of(in[0].maximum(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("minimum", "", in -> of(in[0].minimum(in[1])), () -> of(randn(2, 1), randn(2, 3)));
    s.sample("fmod", "", in -> of(in[0].fmod(in[1])), () -> of(randn(2, 3), positive(0.5, 3)));
    s.sample("fmod", "scalar", in -> of(in[0].fmod(0.7)), () -> of(randn(2, 3)));
    s.sample("remainder", "", in -> of(in[0].remainder(in[1])), () -> of(randn(2, 3), positive(0.5, 2, 1)));
    s.sample("atan2", "", in -> of(in[0].atan2(in[1])), () -> of(randn(2, 3), awayFromZero(3)));
    s.sample("lerp", "scalar weight", in -> of(in[0].lerp(in[1], 0.3)), () -> of(randn(2, 3), randn(3)));
    s.sample("lerp", "tensor weight", in -> of(in[0].lerp(in[1], in[2])), () -> of(randn(2, 3), randn(3), randn(2, 1)));
    s.sample("addcmul", "", in -> of(in[0].addcmul(in[1], in[2], 0.5)), () -> of(randn(2, 3), randn(3), randn(2, 1)));
    s.sample("addcdiv", "", in -> of(in[0].addcdiv(in[1], in[2], -2.0)), () -> of(randn(3), randn(2, 3), positive(0.5, 3)));
  }
}
