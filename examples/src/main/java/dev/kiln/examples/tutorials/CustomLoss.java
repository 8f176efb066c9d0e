package dev.kiln.examples.tutorials;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.optim.SGD;
import java.util.function.BinaryOperator;

/**
 * A loss of one's own: a Loss (the base of the loss modules) whose forward computes the loss from tensor ops, so
 * backward needs nothing more, and call(input, target) runs the module's hooks around it. The Huber loss is quadratic for errors below delta and linear above, so a few outliers pull a
 * fitted line much less than they do under the squared error: on y = 2x + 1 with three outliers, the
 * squared error fits 2.21x + 2.14, the Huber loss 2.05x + 1.23. PyTorch's huber_loss and PyTorch's fits
 * give the same numbers (tools/tutorials/custom_loss.py).
 */
public final class CustomLoss {
  /** mean(0.5 d^2 where |d| < delta, else delta (|d| - delta / 2)), d = input - target (torch.nn.HuberLoss). */
  public static final class HuberLoss extends Loss {
    private final double delta;

    public HuberLoss(double delta) {
      this.delta = delta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
      Tensor d = input.sub(target).abs();
      Tensor quadratic = d.mul(d).mul(0.5);
      Tensor linear = d.sub(0.5 * delta).mul(delta);
      return Tensor.where(d.lt(delta), quadratic, linear).mean();
    }

    @Override
    protected String extraRepr() {
      return "delta=" + delta;
    }
  }

  /** The line a loss fits, and the loss at the last step. */
  public record Fit(double weight, double bias, double loss) {}

  /** 16 points of y = 2x + 1 on [-1, 1), three of them 6 too high; shapes [16, 1]. */
  public static Tensor[] data() {
    Tensor x = Tensor.arange(16).to(DType.FLOAT32).div(8).sub(1).view(16, 1);
    float[] outliers = new float[16];
    outliers[3] = outliers[8] = outliers[13] = 6;
    return new Tensor[] {x, x.mul(2).add(1).add(Tensor.of(outliers, 16, 1))};
  }

  /** Linear(1, 1) from zero, 100 steps of SGD with learning rate 0.5. */
  public static Fit fit(BinaryOperator<Tensor> loss) {
    Tensor[] xy = data();
    Linear model = new Linear(1, 1);
    try (ModeScope noGrad = Autograd.noGrad()) {
      model.weight.zero_();
      model.bias.zero_();
    }
    SGD opt = new SGD(model.parameters(), 0.5);
    double last = Double.NaN;
    for (int step = 0; step < 100; step++) {
      opt.zeroGrad();
      Tensor l = loss.apply(model.call(xy[0]), xy[1]);
      last = l.item();
      l.backward();
      opt.step();
    }
    return new Fit(model.weight.item(), model.bias.item(), last);
  }

  public static Fit fitSquaredError() {
    return fit((input, target) -> input.sub(target).pow(2).mean());
  }

  public static Fit fitHuber() {
    HuberLoss huber = new HuberLoss(1.0);
    return fit(huber::call);
  }

  public static void main(String[] args) {
    Tensor input = Tensor.of(new float[] {0.5f, -2, 3, 0}).requiresGrad(true);
    Tensor loss = new HuberLoss(1.0).call(input, Tensor.of(new float[] {0, 0, 1, 0.25f}));
    loss.backward();
    System.out.println("huber loss " + loss.item() + ", gradient " + java.util.Arrays.toString(input.grad().toFloatArray()));
    Fit mse = fitSquaredError(), huber = fitHuber();
    System.out.printf("squared error fits y = %.4f x + %.4f%n", mse.weight(), mse.bias());
    System.out.printf("Huber loss fits    y = %.4f x + %.4f   (the data: y = 2x + 1 and 3 outliers)%n", huber.weight(), huber.bias());
  }

  private CustomLoss() {}
}
