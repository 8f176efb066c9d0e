package dev.kiln.examples.tutorials;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Function;
import dev.kiln.autograd.FunctionContext;
import dev.kiln.autograd.GradCheck;
import dev.kiln.nn.Module;

/**
 * Two ways to write an activation. Swish, x * sigmoid(beta x) with a trained beta, is a Module built from
 * tensor ops: autograd derives its gradient. SiLU (Swish with beta = 1) is an autograd Function with a
 * hand-written backward, wrapped in a Module to sit in a model like any layer; GradCheck confirms the
 * backward against finite differences. Values and gradients are PyTorch's
 * (tools/tutorials/custom_activation.py).
 */
public final class CustomActivation {
  /** x * sigmoid(beta x), beta a parameter (one for the whole layer). */
  public static final class Swish extends Module {
    public final Tensor beta;

    public Swish(double beta) {
      this.beta = registerParameter("beta", Tensor.scalar(beta, DType.FLOAT32));
    }

    @Override
    public Tensor forward(Tensor input) {
      return input.mul(input.mul(beta).sigmoid());
    }
  }

  /** silu(x) = x s with s = sigmoid(x); d silu / dx = s (1 + x (1 - s)). */
  public static final class SiLUFunction extends Function {
    @Override
    public Tensor forward(FunctionContext ctx, Tensor... inputs) {
      Tensor x = inputs[0];
      ctx.saveForBackward(x);
      return x.mul(x.sigmoid());
    }

    @Override
    public Tensor[] backward(FunctionContext ctx, Tensor... gradOutputs) {
      // Recomputing s from x (instead of saving it) keeps the backward differentiable in x, so second
      // derivatives through this Function are right too.
      Tensor x = ctx.savedTensors()[0];
      Tensor s = x.sigmoid();
      return new Tensor[] {gradOutputs[0].mul(s.mul(x.mul(s.neg().add(1)).add(1)))};
    }
  }

  /** The Function as a layer. */
  public static final class SiLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
      return new SiLUFunction().apply(input);
    }
  }

  /** Outputs and gradients (of the outputs' sum) on x = [-3, -1, 0, 0.5, 2]. */
  public record Result(float[] swish, float[] swishGradX, double swishGradBeta, float[] silu, float[] siluGradX) {}

  public static Result run() {
    Tensor x = Tensor.of(new float[] {-3, -1, 0, 0.5f, 2}).requiresGrad(true);
    Swish swish = new Swish(1.5);
    Tensor y = swish.call(x);
    y.sum().backward();
    float[] swishGradX = x.grad().toFloatArray();
    x.setGrad(null);
    Tensor s = new SiLU().call(x);
    s.sum().backward();
    return new Result(y.toFloatArray(), swishGradX, swish.beta.grad().item(), s.toFloatArray(), x.grad().toFloatArray());
  }

  /** gradcheck and gradgradcheck of the hand-written backward, in float64 as they require. */
  public static boolean backwardMatchesFiniteDifferences() {
    Tensor x = Tensor.of(new double[] {-3, -1, 0.2, 0.5, 2}).requiresGrad(true);
    GradCheck.TensorFunction silu = in -> new Tensor[] {new SiLUFunction().apply(in[0])};
    return GradCheck.gradcheck(silu, x) && GradCheck.gradgradcheck(silu, x);
  }

  public static void main(String[] args) {
    Result r = run();
    System.out.println("swish(beta 1.5) = " + java.util.Arrays.toString(r.swish()));
    System.out.println("  d/dx          = " + java.util.Arrays.toString(r.swishGradX()));
    System.out.println("  d/dbeta       = " + r.swishGradBeta());
    System.out.println("silu            = " + java.util.Arrays.toString(r.silu()));
    System.out.println("  d/dx          = " + java.util.Arrays.toString(r.siluGradX()));
    System.out.println("gradcheck and gradgradcheck of SiLUFunction: " + backwardMatchesFiniteDifferences());
  }

  private CustomActivation() {}
}
