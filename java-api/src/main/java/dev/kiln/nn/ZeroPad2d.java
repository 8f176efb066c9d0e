package dev.kiln.nn;

/**
 * Pads the last 2 dims with zeros (torch.nn.ZeroPad2d): padding is one amount for every side or (left, right,
 * top, bottom); negative amounts crop. {@code new ZeroPad2d(1)}.
 */
public class ZeroPad2d extends ConstantPad2d {
  public ZeroPad2d(long... padding) {
    super(padding, 0.0);
  }

  @Override
  protected String extraRepr() {
    return paddingRepr();
  }
}
