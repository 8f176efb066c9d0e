package dev.kiln.nn;

import dev.kiln.ArgumentException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Moves channels into space (torch.nn.PixelShuffle): [*, C * r * r, H, W] to [*, C, H * r, W * r], r the upscale
 * factor, any number of batch dims. A reshape, a permute and a reshape, so gradients are the inverse moves.
 */
public class PixelShuffle extends Module {
  private final int upscaleFactor;

  public PixelShuffle(int upscaleFactor) {
    if (upscaleFactor <= 0)
      throw new ArgumentException("PixelShuffle: expects a positive upscale_factor, but got " + upscaleFactor);
    this.upscaleFactor = upscaleFactor;
  }

  @Override
  public Tensor forward(Tensor input) {
    long[] s = input.shape();
    int b = s.length - 3;
    long r = upscaleFactor;
    if (b < 0)
      throw new ShapeException("PixelShuffle: expects input to have at least 3 dimensions, but got input with "
          + s.length + " dimension(s) (shape " + Arrays.toString(s) + ")");
    if (s[b] % (r * r) != 0)
      throw new ShapeException("PixelShuffle: expects its input's 'channel' dimension to be divisible by the square "
          + "of upscale_factor, but input.size(-3)=" + s[b] + " is not divisible by " + r * r);
    long c = s[b] / (r * r), h = s[b + 1], w = s[b + 2];
    // [*, C, r, r, H, W] -> [*, C, H, r, W, r]: each r x r block of channels becomes an r x r patch of pixels
    Tensor split = input.reshape(shape(s, b, c, r, r, h, w));
    return split.permute(order(b, 0, 3, 1, 4, 2)).reshape(shape(s, b, c, h * r, w * r));
  }

  /** The batch dims of s followed by the given sizes. */
  static long[] shape(long[] s, int b, long... rest) {
    long[] out = Arrays.copyOf(s, b + rest.length);
    System.arraycopy(rest, 0, out, b, rest.length);
    return out;
  }

  /** The batch dims in place, then the trailing dims in the given order (relative to the first after them). */
  static int[] order(int b, int... rest) {
    int[] out = new int[b + rest.length];
    for (int i = 0; i < b; i++) out[i] = i;
    for (int i = 0; i < rest.length; i++) out[b + i] = b + rest[i];
    return out;
  }

  @Override
  protected String extraRepr() {
    return "upscale_factor=" + upscaleFactor;
  }
}
