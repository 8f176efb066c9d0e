package dev.kiln.nn;

/**
 * Pads the last 2 dims with a constant (torch.nn.ConstantPad2d): padding is one amount for every side or
 * (left, right, top, bottom); negative amounts crop. {@code new ConstantPad2d(2, 3.5)}.
 */
public class ConstantPad2d extends PadNd {
  public ConstantPad2d(long padding, double value) {
    super(2, "constant", new long[] {padding}, value);
  }

  public ConstantPad2d(long[] padding, double value) {
    super(2, "constant", padding, value);
  }
}
