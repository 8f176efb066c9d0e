package dev.kiln.nn;

/**
 * Pads the last 2 dims of a 3-D or 4-D input with their reflection, the edge not repeated
 * (torch.nn.ReflectionPad2d): padding is one amount for every side or (left, right, top, bottom), each less than the
 * padded dim's size. {@code new ReflectionPad2d(2)}.
 */
public class ReflectionPad2d extends PadNd {
  public ReflectionPad2d(long... padding) {
    super(2, "reflect", padding, 0);
  }
}
