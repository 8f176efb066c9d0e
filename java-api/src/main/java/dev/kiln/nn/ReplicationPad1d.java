package dev.kiln.nn;

/**
 * Pads the last dim of a 2-D or 3-D input by repeating its edge values
 * (torch.nn.ReplicationPad1d): padding is one amount for every side or (left, right).
 * {@code new ReplicationPad1d(2)}.
 */
public class ReplicationPad1d extends PadNd {
  public ReplicationPad1d(long... padding) {
    super(1, "replicate", padding, 0);
  }
}
