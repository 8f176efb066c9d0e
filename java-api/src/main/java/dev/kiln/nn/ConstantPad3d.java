package dev.kiln.nn;

/**
 * Pads the last 3 dims with a constant (torch.nn.ConstantPad3d): padding is one amount for every side or
 * (left, right, top, bottom, front, back); negative amounts crop. {@code new ConstantPad3d(2, 3.5)}.
 */
public class ConstantPad3d extends PadNd {
  public ConstantPad3d(long padding, double value) {
    super(3, "constant", new long[] {padding}, value);
  }

  public ConstantPad3d(long[] padding, double value) {
    super(3, "constant", padding, value);
  }
}
