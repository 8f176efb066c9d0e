package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;
import dev.kiln.parity.Fixtures.Args;
import java.util.function.UnaryOperator;

/** Parity mapping: the activations of dev.kiln.nn.functional.Activations (torch.nn.functional). */
final class ActivationOps {
  private ActivationOps() {}

  interface WithOne {
    Tensor apply(Tensor x, double a);
  }

  interface WithTwo {
    Tensor apply(Tensor x, double a, double b);
  }

  static void register(OpMap m) {
    two(m, "softplus", "beta", "threshold", Activations::softplus, Activations::softplus);
    m.on("gelu", (x, a) -> a.has("approximate") ? Activations.gelu(x.get(0), a.string("approximate"))
        : Activations.gelu(x.get(0)));
    m.unary("silu", Activations::silu);
    m.unary("mish", Activations::mish);
    one(m, "leaky_relu", "negative_slope", Activations::leakyRelu, Activations::leakyRelu);
    one(m, "elu", "alpha", Activations::elu, Activations::elu);
    m.unary("selu", Activations::selu);
    one(m, "celu", "alpha", Activations::celu, Activations::celu);
    two(m, "hardtanh", "min_val", "max_val", Activations::hardtanh, Activations::hardtanh);
    m.unary("relu6", Activations::relu6);
    m.unary("hardsigmoid", Activations::hardsigmoid);
    m.unary("hardswish", Activations::hardswish);
    m.unary("softsign", Activations::softsign);
    m.unary("log_sigmoid", Activations::logsigmoid);
    m.on("prelu", (x, a) -> Activations.prelu(x.get(0), x.get(1)));
    m.on("glu", (x, a) -> a.has("dim") ? Activations.glu(x.get(0), a.integer("dim")) : Activations.glu(x.get(0)));
    m.on("rrelu", (x, a) -> a.has("lower")
        ? Activations.rrelu(x.get(0), real(a, "lower"), real(a, "upper"), a.bool("training", false))
        : Activations.rrelu(x.get(0)));
  }

  private static void one(OpMap m, String op, String name, UnaryOperator<Tensor> defaults, WithOne f) {
    m.on(op, (x, a) -> a.has(name) ? f.apply(x.get(0), real(a, name)) : defaults.apply(x.get(0)));
  }

  private static void two(OpMap m, String op, String first, String second, UnaryOperator<Tensor> defaults, WithTwo f) {
    m.on(op, (x, a) -> a.has(first) ? f.apply(x.get(0), real(a, first), real(a, second)) : defaults.apply(x.get(0)));
  }

  private static double real(Args a, String name) {
    return a.scalar(name).asDouble();
  }
}
