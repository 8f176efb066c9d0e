package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.awayFromZero;
import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.positive;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.Tensor;

/** gradcheck samples: elementwise ops and where. */
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
  }
}
