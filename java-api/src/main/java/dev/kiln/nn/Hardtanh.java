package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x clamped to [minVal, maxVal] (torch.nn.Hardtanh; default [-1, 1]). */
public class Hardtanh extends Module {
  private final double minVal;
  private final double maxVal;

  public Hardtanh() {
    this(-1.0, 1.0);
  }

  public Hardtanh(double minVal, double maxVal) {
    if (!(maxVal > minVal))
      throw new IllegalArgumentException("Hardtanh: max_val must be greater than min_val, got " + minVal + " and " + maxVal);
    this.minVal = minVal;
    this.maxVal = maxVal;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.hardtanh(input, minVal, maxVal);
  }

  @Override
  protected String extraRepr() {
    return "min_val=" + PyRepr.num(minVal) + ", max_val=" + PyRepr.num(maxVal);
  }
}
