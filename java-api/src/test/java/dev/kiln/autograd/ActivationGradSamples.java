package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.awayFromZero;
import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.nn.functional.Activations;

/**
 * gradcheck samples: the activations and their fused backward ops (called by name: gradcheck of a backward op
 * checks the activation's second derivative, gradgradcheck its third). Inputs stay off the points where an op
 * is not differentiable (0, the clamp bounds, +-3, softplus's threshold).
 */
final class ActivationGradSamples {
  private ActivationGradSamples() {}

  static Tensor values(double... v) {
    return Tensor.of(v).requiresGrad(true);
  }

  /** A native op by name: its outputs. */
  static Tensor[] op(String name, Tensor[] inputs, long[] ints, double... reals) {
    long[] handles = new long[inputs.length];
    for (int i = 0; i < inputs.length; i++) handles[i] = inputs[i].handle();
    long[] out = Core.call(Core.op(name), Frame.of(handles, ints, reals), 3);
    Tensor[] result = new Tensor[out.length];
    for (int i = 0; i < out.length; i++) result[i] = Tensor.adopt(out[i]);
    return result;
  }

  private static final long[] NONE = {};

  private static Tensor[] gruLayer(Tensor[] in, long reverse) {
    return new Tensor[] {op("fused_gru_layer", in, new long[] {reverse})[0]};
  }

  private static Tensor[] lstmLayer(Tensor[] in, long reverse) {
    Tensor[] out = op("fused_lstm_layer", in, new long[] {reverse});
    return new Tensor[] {out[0], out[1]};
  }

  /** An elementwise activation's backward op, checked at (grad, x). */
  private static void backward(GradSamples s, String name, java.util.function.Supplier<Tensor> x, long[] ints, double... reals) {
    s.sample(name, "", in -> op(name, in, ints, reals), () -> {
      Tensor xs = x.get();
      return of(randn(xs.shape()), xs);
    });
  }

  static void register(GradSamples s) {
    s.sample("softplus", "defaults", in -> of(Activations.softplus(in[0])), () -> of(randn(2, 3)));
    s.sample("softplus", "beta 2, threshold 1: both branches",
        in -> of(Activations.softplus(in[0], 2, 1)), () -> of(values(-1.3, 0.2, 0.45, 0.55, 1.2, 3.0)));
    backward(s, "softplus_backward", () -> values(-1.3, 0.2, 0.45, 0.55, 1.2, 3.0), NONE, 2, 1);
    s.sample("gelu", "exact", in -> of(Activations.gelu(in[0])), () -> of(randn(2, 3)));
    s.sample("gelu", "tanh", in -> of(Activations.gelu(in[0], "tanh")), () -> of(randn(2, 3)));
    backward(s, "gelu_backward", () -> randn(2, 3), new long[] {0});
    s.sample("gelu_backward", "tanh", in -> op("gelu_backward", in, new long[] {1}), () -> of(randn(2, 3), randn(2, 3)));
    s.sample("silu", "", in -> of(Activations.silu(in[0])), () -> of(randn(2, 3)));
    backward(s, "silu_backward", () -> randn(2, 3), NONE);
    s.sample("mish", "", in -> of(Activations.mish(in[0])), () -> of(randn(2, 3)));
    backward(s, "mish_backward", () -> randn(2, 3), NONE);
    s.sample("leaky_relu", "", in -> of(Activations.leakyRelu(in[0], 0.2)), () -> of(awayFromZero(2, 3)));
    backward(s, "leaky_relu_backward", () -> awayFromZero(2, 3), NONE, 0.2);
    s.sample("rrelu", "evaluation", in -> of(Activations.rrelu(in[0], 0.1, 0.3, false)), () -> of(awayFromZero(2, 3)));
    s.sample("rrelu_with_noise", "training, with a generator seeded per call (the same slopes each time)",
        in -> of(Activations.rrelu(in[0], 0.1, 0.3, true, false, new Generator(5))), () -> of(awayFromZero(2, 3)));
    backward(s, "threshold_backward", () -> awayFromZero(2, 3), NONE, 0.0);
    // sigmoid's and tanh's backward take the forward's output: values inside (0, 1) and (-1, 1).
    backward(s, "sigmoid_backward", () -> values(0.1, 0.35, 0.5, 0.62, 0.8, 0.93), NONE);
    backward(s, "tanh_backward", () -> values(-0.9, -0.4, 0.05, 0.3, 0.66, 0.85), NONE);
    s.sample("elu", "alpha 1.5", in -> of(Activations.elu(in[0], 1.5)), () -> of(awayFromZero(2, 3)));
    backward(s, "elu_backward", () -> awayFromZero(2, 3), NONE, 1.5, 1.2, 0.7);
    s.sample("selu", "", in -> of(Activations.selu(in[0])), () -> of(awayFromZero(2, 3)));
    s.sample("celu", "alpha 2", in -> of(Activations.celu(in[0], 2)), () -> of(awayFromZero(2, 3)));
    s.sample("hardtanh", "", in -> of(Activations.hardtanh(in[0], -0.5, 1.5)),
        () -> of(values(-2.5, -0.7, -0.2, 0.3, 1.2, 1.9)));
    backward(s, "hardtanh_backward", () -> values(-2.5, -0.7, -0.2, 0.3, 1.2, 1.9), NONE, -0.5, 1.5);
    s.sample("relu6", "", in -> of(Activations.relu6(in[0])), () -> of(values(-1, 0.5, 3, 5.5, 7, 2)));
    s.sample("hardsigmoid", "", in -> of(Activations.hardsigmoid(in[0])), () -> of(values(-4, -2, 0.5, 2.5, 3.5, 1)));
    backward(s, "hardsigmoid_backward", () -> values(-4, -2, 0.5, 2.5, 3.5, 1), NONE);
    s.sample("hardswish", "", in -> of(Activations.hardswish(in[0])), () -> of(values(-4, -2, 0.5, 2.5, 3.5, 1)));
    backward(s, "hardswish_backward", () -> values(-4, -2, 0.5, 2.5, 3.5, 1), NONE);
    s.sample("softsign", "", in -> of(Activations.softsign(in[0])), () -> of(awayFromZero(2, 3)));
    backward(s, "softsign_backward", () -> awayFromZero(2, 3), NONE);
    s.sample("log_sigmoid", "", in -> of(Activations.logsigmoid(in[0])), () -> of(randn(2, 3)));
    backward(s, "log_sigmoid_backward", () -> randn(2, 3), NONE);
    s.sample("prelu", "per channel", in -> of(Activations.prelu(in[0], in[1])), () -> of(awayFromZero(2, 3, 2), randn(3)));
    s.sample("prelu", "one weight", in -> of(Activations.prelu(in[0], in[1])), () -> of(awayFromZero(4), randn(1)));
    s.sample("prelu_backward", "per channel", in -> op("prelu_backward", in, NONE),
        () -> of(randn(2, 3, 2), awayFromZero(2, 3, 2), randn(3)));
    s.sample("prelu_backward", "one weight", in -> op("prelu_backward", in, NONE),
        () -> of(randn(2, 2), awayFromZero(2, 2), randn()));
    s.sample("glu", "dim 1", in -> of(Activations.glu(in[0], 1)), () -> of(randn(2, 4, 2)));
    // nn.LSTM's cell after the gate products: gates [batch, 4 hidden], cx [batch, hidden] -> (hy, cy)
    s.sample("fused_lstm_cell", "batch 3, hidden 2", in -> op("fused_lstm_cell", in, NONE), () -> of(randn(3, 8), randn(3, 2)));
    s.sample("fused_lstm_cell", "unbatched", in -> op("fused_lstm_cell", in, NONE), () -> of(randn(12), randn(3)));
    // nn.LSTM's recurrence over a sequence: gates_x [seq, batch, 4 hidden], h0, c0, w_hh -> (hs, cs); its third
    // output, the gates workspace, is not differentiable (PyTorch's fused cells' workspace is not either)
    s.sample("fused_lstm_layer", "seq 3, batch 2, hidden 2", in -> lstmLayer(in, 0),
        () -> of(randn(3, 2, 8), randn(2, 2), randn(2, 2), randn(8, 2)));
    s.sample("fused_lstm_layer", "reverse, batch 1", in -> lstmLayer(in, 1),
        () -> of(randn(2, 1, 12), randn(1, 3), randn(1, 3), randn(12, 3)));
    // nn.GRU's: gates_x [seq, batch, 3 hidden], h0, w_hh, b_hh -> hs (and a workspace, not differentiable)
    s.sample("fused_gru_layer", "seq 3, batch 2, hidden 2", in -> gruLayer(in, 0),
        () -> of(randn(3, 2, 6), randn(2, 2), randn(6, 2), randn(6)));
    s.sample("fused_gru_layer", "reverse, batch 1", in -> gruLayer(in, 1),
        () -> of(randn(2, 1, 9), randn(1, 3), randn(9, 3), randn(9)));
    s.sample("glu_backward", "last dim", in -> op("glu_backward", in, new long[] {-1}), () -> of(randn(3, 2), randn(3, 4)));
  }
}
