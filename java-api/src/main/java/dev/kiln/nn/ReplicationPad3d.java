package dev.kiln.nn;

/**
 * Pads the last 3 dims of a 4-D or 5-D input by repeating their edge values
 * (torch.nn.ReplicationPad3d): padding is one amount for every side or (left, right, top, bottom, front, back).
 * {@code new ReplicationPad3d(2)}.
 */
public class ReplicationPad3d extends PadNd {
  public ReplicationPad3d(long... padding) {
    super(3, "replicate", padding, 0);
  }
}
