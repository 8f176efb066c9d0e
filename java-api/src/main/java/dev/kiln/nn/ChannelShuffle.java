package dev.kiln.nn;

import dev.kiln.ArgumentException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Interleaves the channels of g groups (torch.nn.ChannelShuffle, ShuffleNet's): [N, C, *] seen as [N, g, C / g, *],
 * the two group dims swapped, back to [N, C, *], so channel k of group i moves to position k g + i. A reshape, a
 * transpose and a reshape, so gradients flow (PyTorch 1.13's channel_shuffle has no derivative).
 */
public class ChannelShuffle extends Module {
  private final int groups;

  public ChannelShuffle(int groups) {
    if (groups <= 0)
      throw new ArgumentException("ChannelShuffle: Number of groups to divide channels in must be positive. Value of "
          + "groups:" + groups);
    this.groups = groups;
  }

  @Override
  public Tensor forward(Tensor input) {
    long[] s = input.shape();
    if (s.length <= 2)
      throw new ShapeException("ChannelShuffle: channel_shuffle expects input with > 2 dims, but got input with sizes "
          + Arrays.toString(s));
    if (s[1] % groups != 0)
      throw new ShapeException("ChannelShuffle: Number of channels must be divisible by groups. Got " + s[1]
          + " channels and " + groups + " groups.");
    long[] split = new long[s.length + 1];
    split[0] = s[0];
    split[1] = groups;
    split[2] = s[1] / groups;
    System.arraycopy(s, 2, split, 3, s.length - 2);
    try (Tensor grouped = input.reshape(split); Tensor swapped = grouped.transpose(1, 2)) {
      return swapped.reshape(s);
    }
  }

  @Override
  protected String extraRepr() {
    return "groups=" + groups;
  }
}
