package dev.kiln.nn;

/**
 * Pads the last 2 dims of a 3-D or 4-D input by repeating their edge values
 * (torch.nn.ReplicationPad2d): padding is one amount for every side or (left, right, top, bottom).
 * {@code new ReplicationPad2d(2)}.
 */
public class ReplicationPad2d extends PadNd {
  public ReplicationPad2d(long... padding) {
    super(2, "replicate", padding, 0);
  }
}
