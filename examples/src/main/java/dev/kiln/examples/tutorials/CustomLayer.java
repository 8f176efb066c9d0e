package dev.kiln.examples.tutorials;

import dev.kiln.Tensor;
import dev.kiln.nn.init.Init;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * A layer of one's own: subclass Module, register the trained tensors as parameters and the fixed ones as
 * buffers. MaskedLinear multiplies its weight by a lower-triangular mask, so output i sees inputs 0..i
 * only (the autoregressive layer of MADE). The mask is a buffer: saved in the state dict, converted by
 * to(dtype), but not a parameter, so optimizers never change it. PyTorch's version of the layer gives the
 * same outputs and gradients (tools/tutorials/custom_layer.py).
 */
public final class CustomLayer {
  /** y = x (W * mask)^T + b, with mask[i][j] = 1 where j <= i. */
  public static final class MaskedLinear extends Module {
    public final int features;
    public final Tensor weight;
    public final Tensor bias;
    public final Tensor mask;

    public MaskedLinear(int features) {
      this.features = features;
      // nn.Linear's initialisation: uniform in +-1/sqrt(fan_in).
      double bound = 1 / Math.sqrt(features);
      weight = registerParameter("weight", Init.uniform_(Tensor.empty(features, features), -bound, bound));
      bias = registerParameter("bias", Init.uniform_(Tensor.empty(features), -bound, bound));
      mask = registerBuffer("mask", Tensor.ones(features, features).tril()); // lower triangle, diagonal included
    }

    @Override
    public Tensor forward(Tensor input) {
      return input.matmul(weight.mul(mask).t()).add(bias);
    }

    @Override
    protected String extraRepr() {
      return "features=" + features;
    }
  }

  /** What run shows: the layer's output and gradients, and how it registered its tensors. */
  public record Result(float[] output, float[] weightGrad, float[] biasGrad, List<String> stateDictKeys,
                       List<String> parameterNames, String repr) {}

  /** The layer with fixed weights on two inputs; the gradients are those of sum(y^2). */
  public static Result run() {
    MaskedLinear layer = new MaskedLinear(3);
    try (ModeScope noGrad = Autograd.noGrad()) {
      // Fixed values instead of random ones, to compare with PyTorch.
      layer.weight.copy_(Tensor.of(new float[] {0.1f, 0.2f, 0.3f, -0.4f, 0.5f, -0.6f, 0.7f, -0.8f, 0.9f}, 3, 3));
      layer.bias.copy_(Tensor.of(new float[] {0.1f, -0.1f, 0.2f}));
    }
    Tensor x = Tensor.of(new float[] {1, 2, 3, -1, 0.5f, 2}, 2, 3);
    Tensor y = layer.call(x);
    y.pow(2).sum().backward();
    return new Result(y.toFloatArray(), layer.weight.grad().toFloatArray(), layer.bias.grad().toFloatArray(),
        new ArrayList<>(layer.stateDict().keySet()), new ArrayList<>(layer.namedParameters().keySet()), layer.toString());
  }

  public static void main(String[] args) {
    Result r = run();
    System.out.println(r.repr() + ": state dict " + r.stateDictKeys() + ", parameters " + r.parameterNames());
    System.out.println("y           = " + java.util.Arrays.toString(r.output()));
    // The entries above the diagonal are masked out: no gradient reaches them.
    System.out.println("weight.grad = " + java.util.Arrays.toString(r.weightGrad()));
    System.out.println("bias.grad   = " + java.util.Arrays.toString(r.biasGrad()));
  }

  private CustomLayer() {}
}
