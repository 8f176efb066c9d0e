package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.parity.Fixtures.Args;
import dev.kiln.parity.Fixtures.Scalar;
import java.util.List;
import java.util.function.UnaryOperator;
import org.opentest4j.AssertionFailedError;

/** Parity mapping: math functions, rounding, clamping, nan_to_num, math of two and three tensors, tests, logic, bits. */
final class MathOps {
  private MathOps() {}

  static void register(OpMap m) {
    unary(m, "log1p", Tensor::log1p, Tensor::log1p_);
    unary(m, "expm1", Tensor::expm1, Tensor::expm1_);
    unary(m, "log2", Tensor::log2, Tensor::log2_);
    unary(m, "log10", Tensor::log10, Tensor::log10_);
    unary(m, "exp2", Tensor::exp2, Tensor::exp2_);
    unary(m, "rsqrt", Tensor::rsqrt, Tensor::rsqrt_);
    unary(m, "reciprocal", Tensor::reciprocal, Tensor::reciprocal_);
    unary(m, "sin", Tensor::sin, Tensor::sin_);
    unary(m, "cos", Tensor::cos, Tensor::cos_);
    unary(m, "tan", Tensor::tan, Tensor::tan_);
    unary(m, "asin", Tensor::asin, Tensor::asin_);
    unary(m, "acos", Tensor::acos, Tensor::acos_);
    unary(m, "atan", Tensor::atan, Tensor::atan_);
    unary(m, "sinh", Tensor::sinh, Tensor::sinh_);
    unary(m, "cosh", Tensor::cosh, Tensor::cosh_);
    unary(m, "asinh", Tensor::asinh, Tensor::asinh_);
    unary(m, "acosh", Tensor::acosh, Tensor::acosh_);
    unary(m, "atanh", Tensor::atanh, Tensor::atanh_);
    unary(m, "erf", Tensor::erf, Tensor::erf_);
    unary(m, "erfinv", Tensor::erfinv, Tensor::erfinv_);
    m.unary("square", Tensor::square);
    unary(m, "sign", Tensor::sign, Tensor::sign_);
    unary(m, "floor", Tensor::floor, Tensor::floor_);
    unary(m, "ceil", Tensor::ceil, Tensor::ceil_);
    unary(m, "trunc", Tensor::trunc, Tensor::trunc_);
    unary(m, "frac", Tensor::frac, Tensor::frac_);
    m.on("round", (x, a) -> a.has("decimals") ? x.get(0).round(a.integer("decimals")) : x.get(0).round());
    m.on("round_", (x, a) -> a.has("decimals") ? x.get(0).round_(a.integer("decimals")) : x.get(0).round_());
    m.on("clamp", (x, a) -> clamp(x, a, false));
    m.on("clamp_", (x, a) -> clamp(x, a, true));
    m.binary("clamp_min", Tensor::clampMin, Tensor::clampMin, Tensor::clampMin);
    m.binary("clamp_max", Tensor::clampMax, Tensor::clampMax, Tensor::clampMax);
    m.binary("clamp_min_", Tensor::clampMin_, Tensor::clampMin_, Tensor::clampMin_);
    m.binary("clamp_max_", Tensor::clampMax_, Tensor::clampMax_, Tensor::clampMax_);
    m.on("nan_to_num", (x, a) -> nanToNum(x.get(0), a, false));
    m.on("nan_to_num_", (x, a) -> nanToNum(x.get(0), a, true));
    m.binary("maximum", Tensor::maximum, null, null);
    m.binary("minimum", Tensor::minimum, null, null);
    m.binary("fmod", Tensor::fmod, Tensor::fmod, Tensor::fmod);
    m.binary("remainder", Tensor::remainder, Tensor::remainder, Tensor::remainder);
    m.binary("floor_divide", Tensor::floorDivide, Tensor::floorDivide, Tensor::floorDivide);
    m.binary("atan2", Tensor::atan2, null, null);
    m.binary("fmod_", Tensor::fmod_, Tensor::fmod_, Tensor::fmod_);
    m.binary("remainder_", Tensor::remainder_, Tensor::remainder_, Tensor::remainder_);
    m.binary("floor_divide_", Tensor::floorDivide_, Tensor::floorDivide_, Tensor::floorDivide_);
    m.binary("atan2_", Tensor::atan2_, null, null);
    m.on("lerp", (x, a) -> x.size() == 3 ? x.get(0).lerp(x.get(1), x.get(2)) : x.get(0).lerp(x.get(1), weight(a)));
    m.on("lerp_", (x, a) -> x.size() == 3 ? x.get(0).lerp_(x.get(1), x.get(2)) : x.get(0).lerp_(x.get(1), weight(a)));
    m.on("addcmul", (x, a) -> addc(x, a, false, false));
    m.on("addcdiv", (x, a) -> addc(x, a, true, false));
    m.on("addcmul_", (x, a) -> addc(x, a, false, true));
    m.on("addcdiv_", (x, a) -> addc(x, a, true, true));
    m.unary("isnan", Tensor::isnan);
    m.unary("isinf", Tensor::isinf);
    m.unary("isposinf", Tensor::isposinf);
    m.unary("isneginf", Tensor::isneginf);
    m.unary("isfinite", Tensor::isfinite);
    m.unary("signbit", Tensor::signbit);
    unary(m, "logical_not", Tensor::logicalNot, Tensor::logicalNot_);
    unary(m, "bitwise_not", Tensor::bitwiseNot, Tensor::bitwiseNot_);
    m.binary("logical_and", Tensor::logicalAnd, null, null);
    m.binary("logical_or", Tensor::logicalOr, null, null);
    m.binary("logical_xor", Tensor::logicalXor, null, null);
    m.binary("logical_and_", Tensor::logicalAnd_, null, null);
    m.binary("logical_or_", Tensor::logicalOr_, null, null);
    m.binary("logical_xor_", Tensor::logicalXor_, null, null);
    bitwise(m, "bitwise_and", Tensor::bitwiseAnd, Tensor::bitwiseAnd, Tensor::bitwiseAnd);
    bitwise(m, "bitwise_or", Tensor::bitwiseOr, Tensor::bitwiseOr, Tensor::bitwiseOr);
    bitwise(m, "bitwise_xor", Tensor::bitwiseXor, Tensor::bitwiseXor, Tensor::bitwiseXor);
    m.binary("bitwise_and_", Tensor::bitwiseAnd_, Tensor::bitwiseAnd_, null);
    m.binary("bitwise_or_", Tensor::bitwiseOr_, Tensor::bitwiseOr_, null);
    m.binary("bitwise_xor_", Tensor::bitwiseXor_, Tensor::bitwiseXor_, null);
    m.binary("bitwise_left_shift", Tensor::bitwiseLeftShift, Tensor::bitwiseLeftShift, null);
    m.binary("bitwise_right_shift", Tensor::bitwiseRightShift, Tensor::bitwiseRightShift, null);
    m.binary("bitwise_left_shift_", Tensor::bitwiseLeftShift_, Tensor::bitwiseLeftShift_, null);
    m.binary("bitwise_right_shift_", Tensor::bitwiseRightShift_, Tensor::bitwiseRightShift_, null);
  }

  private static void unary(OpMap m, String op, UnaryOperator<Tensor> f, UnaryOperator<Tensor> inPlace) {
    m.unary(op, f);
    m.unary(op + "_", inPlace);
  }

  @FunctionalInterface
  interface BoolOp {
    Tensor apply(Tensor a, boolean b);
  }

  /** A bitwise op: tensor, long or boolean other. */
  private static void bitwise(OpMap m, String op, OpMap.TensorOp t, OpMap.LongOp l, BoolOp b) {
    m.on(op, (x, a) -> {
      if (x.size() == 2) return t.apply(x.get(0), x.get(1));
      Scalar s = a.scalar("other");
      if (s.isInt()) return l.apply(x.get(0), s.asLong());
      if (s.isBool()) return b.apply(x.get(0), s.asBoolean());
      // Java has no double overload: PyTorch's float scalar makes a float result, which bitwise ops refuse
      try (Tensor f = Tensor.scalar(s.asDouble())) {
        return t.apply(x.get(0), f);
      }
    });
  }

  /** clamp(min, max): Java scalars from the args, or tensor bounds ("bounds": both, min or max). */
  private static Tensor clamp(List<Tensor> x, Args a, boolean inPlace) {
    Tensor self = x.get(0);
    if (x.size() == 1) {
      Scalar lo = a.scalar("min"), hi = a.scalar("max");
      if (lo.isInt() && hi.isInt()) return inPlace ? self.clamp_(lo.asLong(), hi.asLong()) : self.clamp(lo.asLong(), hi.asLong());
      if (lo.isFloat() && hi.isFloat())
        return inPlace ? self.clamp_(lo.asDouble(), hi.asDouble()) : self.clamp(lo.asDouble(), hi.asDouble());
      throw new AssertionFailedError("clamp: Java has no mixed long/double overload");
    }
    String bounds = a.string("bounds");
    Tensor lo = bounds.equals("max") ? null : x.get(1);
    Tensor hi = bounds.equals("min") ? null : x.get(bounds.equals("max") ? 1 : 2);
    return inPlace ? self.clamp_(lo, hi) : self.clamp(lo, hi);
  }

  private static Tensor nanToNum(Tensor x, Args a, boolean inPlace) {
    boolean nan = a.has("nan"), pos = a.has("posinf"), neg = a.has("neginf");
    if (!nan && !pos && !neg) return inPlace ? x.nanToNum_() : x.nanToNum();
    if (nan && !pos && !neg && !inPlace) return x.nanToNum(a.scalar("nan").asDouble());
    if (nan && pos && neg) {
      double n = a.scalar("nan").asDouble(), p = a.scalar("posinf").asDouble(), q = a.scalar("neginf").asDouble();
      return inPlace ? x.nanToNum_(n, p, q) : x.nanToNum(n, p, q);
    }
    throw new AssertionFailedError("nan_to_num: Java has no overload for " + a);
  }

  private static double weight(Args a) {
    return a.scalar("weight").asDouble();
  }

  private static Tensor addc(List<Tensor> x, Args a, boolean div, boolean inPlace) {
    Tensor self = x.get(0), t1 = x.get(1), t2 = x.get(2);
    if (!a.has("value")) {
      if (inPlace) throw new AssertionFailedError("addc*_: the mapping needs a value");
      return div ? self.addcdiv(t1, t2) : self.addcmul(t1, t2);
    }
    Scalar v = a.scalar("value");
    if (v.isInt()) {
      long l = v.asLong();
      if (inPlace) return div ? self.addcdiv_(t1, t2, l) : self.addcmul_(t1, t2, l);
      return div ? self.addcdiv(t1, t2, l) : self.addcmul(t1, t2, l);
    }
    double d = v.asDouble();
    if (inPlace) return div ? self.addcdiv_(t1, t2, d) : self.addcmul_(t1, t2, d);
    return div ? self.addcdiv(t1, t2, d) : self.addcmul(t1, t2, d);
  }
}
