package dev.kiln.nn;

/**
 * Pads the last dim of a 2-D or 3-D input with its reflection, the edge not repeated
 * (torch.nn.ReflectionPad1d): padding is one amount for every side or (left, right), each less than the
 * padded dim's size. {@code new ReflectionPad1d(2)}.
 */
public class ReflectionPad1d extends PadNd {
  public ReflectionPad1d(long... padding) {
    super(1, "reflect", padding, 0);
  }
}
