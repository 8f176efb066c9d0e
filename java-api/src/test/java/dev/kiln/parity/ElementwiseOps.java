package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.parity.Fixtures.Scalar;

/** Parity mapping: elementwise ops, in-place forms, fill_/copy_/where. */
final class ElementwiseOps {
  private ElementwiseOps() {}

  static void register(OpMap m) {
    m.binary("add", Tensor::add, Tensor::add, Tensor::add);
    m.binary("sub", Tensor::sub, Tensor::sub, Tensor::sub);
    m.binary("mul", Tensor::mul, Tensor::mul, Tensor::mul);
    m.binary("div", Tensor::div, Tensor::div, Tensor::div);
    m.binary("pow", Tensor::pow, Tensor::pow, Tensor::pow);
    m.binary("eq", Tensor::eq, Tensor::eq, Tensor::eq);
    m.binary("ne", Tensor::ne, Tensor::ne, Tensor::ne);
    m.binary("lt", Tensor::lt, Tensor::lt, Tensor::lt);
    m.binary("le", Tensor::le, Tensor::le, Tensor::le);
    m.binary("gt", Tensor::gt, Tensor::gt, Tensor::gt);
    m.binary("ge", Tensor::ge, Tensor::ge, Tensor::ge);
    m.binary("add_", Tensor::add_, Tensor::add_, Tensor::add_);
    m.binary("sub_", Tensor::sub_, Tensor::sub_, Tensor::sub_);
    m.binary("mul_", Tensor::mul_, Tensor::mul_, Tensor::mul_);
    m.binary("div_", Tensor::div_, null, Tensor::div_);
    m.binary("pow_", null, Tensor::pow_, Tensor::pow_);
    m.unary("neg", Tensor::neg);
    m.unary("exp", Tensor::exp);
    m.unary("log", Tensor::log);
    m.unary("sqrt", Tensor::sqrt);
    m.unary("abs", Tensor::abs);
    m.unary("relu", Tensor::relu);
    m.unary("sigmoid", Tensor::sigmoid);
    m.unary("tanh", Tensor::tanh);
    m.unary("neg_", Tensor::neg_);
    m.unary("exp_", Tensor::exp_);
    m.unary("log_", Tensor::log_);
    m.unary("sqrt_", Tensor::sqrt_);
    m.unary("abs_", Tensor::abs_);
    m.unary("relu_", Tensor::relu_);
    m.unary("sigmoid_", Tensor::sigmoid_);
    m.unary("tanh_", Tensor::tanh_);
    m.on("fill_", (x, a) -> {
      if (x.size() == 2) return x.get(0).fill_(x.get(1));
      Scalar v = a.scalar("value");
      if (v.isInt()) return x.get(0).fill_(v.asLong());
      if (v.isBool()) return x.get(0).fill_(v.asBoolean());
      return x.get(0).fill_(v.asDouble());
    });
    m.unary("zero_", Tensor::zero_);
    m.on("copy_", (x, a) -> x.get(0).copy_(x.get(1)));
    m.on("where", (x, a) -> a.bool("method", false) ? x.get(1).where(x.get(0), x.get(2))
        : Tensor.where(x.get(0), x.get(1), x.get(2)));
  }
}
