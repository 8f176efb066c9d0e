package dev.kiln.examples.tutorials;

import dev.kiln.Generator;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.RNNOptions;
import dev.kiln.optim.Adam;

/**
 * An LSTM sequence model, after PyTorch's time-series tutorials: from the last 20 samples of a noisy sine
 * wave, predict the next one. An LSTM (1 input, 32 hidden, batchFirst) reads each window and a Linear layer
 * maps its last hidden state to the prediction; Adam minimises the mean squared error on noisy windows.
 * On clean windows it never saw, its error is a fraction of the naive forecast's (repeat the last value) and
 * close to the noise floor. Then it forecasts 50 steps ahead feeding its own predictions back.
 */
public final class SineWaveLstm {
  static final int WINDOW = 20;
  static final double STEP = 0.1, NOISE = 0.05;

  /** The model: LSTM over the window, Linear on the last hidden state. */
  static final class Forecaster extends Module {
    final LSTM lstm = registerModule("lstm", new LSTM(RNNOptions.of(1, 32).batchFirst(true)));
    final Linear head = registerModule("head", new Linear(32, 1));

    /** windows [batch, WINDOW, 1] -> next values [batch, 1]. */
    @Override
    public Tensor forward(Tensor windows) {
      return head.call(lstm.forward(windows, null, null).hN().select(0, 0));
    }
  }

  /** The training curve, the test errors of the model and of the naive forecast, and a free-running forecast. */
  public record Result(double[] losses, double testMse, double naiveMse, double[] forecast, double[] truth) {}

  /** Windows of sin(t) starting at t0 + i * STEP * 3 (i < count), with Gaussian noise of std noise; targets too. */
  static Tensor[] windows(double t0, int count, double noise, Generator g) {
    Tensor starts = Tensor.arange(count).to(dev.kiln.DType.FLOAT32).mul(STEP * 3).add(t0).view(count, 1);
    Tensor offsets = Tensor.arange(WINDOW + 1).to(dev.kiln.DType.FLOAT32).mul(STEP).view(1, WINDOW + 1);
    Tensor series = starts.add(offsets).sin();
    if (noise > 0) series = series.add(Tensor.randn(g, count, WINDOW + 1).mul(noise));
    return new Tensor[] {series.narrow(1, 0, WINDOW).unsqueeze(2), series.narrow(1, WINDOW, 1)};
  }

  public static Result run(int steps) {
    Kiln.manualSeed(0);
    Forecaster model = new Forecaster();
    Adam opt = new Adam(model.parameters(), 0.01);
    double[] losses = new double[steps];
    try (Generator g = new Generator(7)) {
      for (int step = 0; step < steps; step++) {
        try (TensorScope scope = TensorScope.open()) {
          Tensor[] batch = windows(step * 1.7, 64, NOISE, g); // a fresh stretch of the wave each step
          opt.zeroGrad();
          Tensor loss = model.call(batch[0]).sub(batch[1]).pow(2).mean();
          loss.backward();
          opt.step();
          losses[step] = loss.item();
        }
      }
    }
    model.eval();
    try (ModeScope noGrad = Autograd.noGrad(); TensorScope scope = TensorScope.open()) {
      Tensor[] test = windows(1000.3, 200, 0, null);
      double testMse = model.call(test[0]).sub(test[1]).pow(2).mean().item();
      double naiveMse = test[0].select(1, WINDOW - 1).sub(test[1]).pow(2).mean().item();
      // Free running: each prediction joins the window for the next one.
      Tensor window = test[0].narrow(0, 0, 1);
      double[] forecast = new double[50], truth = new double[50];
      double t = 1000.3 + WINDOW * STEP;
      for (int i = 0; i < 50; i++) {
        Tensor next = model.call(window);
        forecast[i] = next.item();
        truth[i] = Math.sin(t + i * STEP);
        window = Tensor.cat(java.util.List.of(window.narrow(1, 1, WINDOW - 1), next.view(1, 1, 1)), 1);
      }
      return new Result(losses, testMse, naiveMse, forecast, truth);
    }
  }

  public static void main(String[] args) {
    Result r = run(300);
    System.out.printf("training MSE: step 1 %.4f, step 100 %.4f, step 300 %.4f%n", r.losses()[0], r.losses()[99], r.losses()[299]);
    System.out.printf("test MSE on clean windows %.5f; the naive forecast's %.5f%n", r.testMse(), r.naiveMse());
    for (int i = 0; i < 50; i += 10) System.out.printf("forecast +%2d: %+.3f (sine %+.3f)%n", i + 1, r.forecast()[i], r.truth()[i]);
  }

  private SineWaveLstm() {}
}
