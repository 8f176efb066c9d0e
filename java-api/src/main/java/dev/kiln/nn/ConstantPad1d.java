package dev.kiln.nn;

/**
 * Pads the last dim with a constant (torch.nn.ConstantPad1d): padding is one amount for every side or
 * (left, right); negative amounts crop. {@code new ConstantPad1d(2, 3.5)}.
 */
public class ConstantPad1d extends PadNd {
  public ConstantPad1d(long padding, double value) {
    super(1, "constant", new long[] {padding}, value);
  }

  public ConstantPad1d(long[] padding, double value) {
    super(1, "constant", padding, value);
  }
}
