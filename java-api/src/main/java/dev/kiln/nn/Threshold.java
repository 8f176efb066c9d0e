package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x where {@code x > threshold}, else value (torch.nn.Threshold): {@code new Threshold(0.1, 20)}. */
public class Threshold extends Module {
  private final double threshold;
  private final double value;

  public Threshold(double threshold, double value) {
    this.threshold = threshold;
    this.value = value;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.threshold(input, threshold, value);
  }

  @Override
  protected String extraRepr() {
    return "threshold=" + PyRepr.num(threshold) + ", value=" + PyRepr.num(value);
  }
}
