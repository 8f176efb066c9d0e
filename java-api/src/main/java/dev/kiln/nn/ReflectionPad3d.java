package dev.kiln.nn;

/**
 * Pads the last 3 dims of a 4-D or 5-D input with their reflection, the edge not repeated
 * (torch.nn.ReflectionPad3d): padding is one amount for every side or (left, right, top, bottom, front, back),
 * each less than the padded dim's size. {@code new ReflectionPad3d(2)}.
 */
public class ReflectionPad3d extends PadNd {
  public ReflectionPad3d(long... padding) {
    super(3, "reflect", padding, 0);
  }
}
