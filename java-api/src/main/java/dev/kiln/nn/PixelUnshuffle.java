package dev.kiln.nn;

import dev.kiln.ArgumentException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Moves space into channels, the inverse of {@link PixelShuffle} (torch.nn.PixelUnshuffle): [*, C, H * r, W * r]
 * to [*, C * r * r, H, W], r the downscale factor, any number of batch dims.
 */
public class PixelUnshuffle extends Module {
  private final int downscaleFactor;

  public PixelUnshuffle(int downscaleFactor) {
    if (downscaleFactor <= 0)
      throw new ArgumentException("PixelUnshuffle: expects a positive downscale_factor, but got " + downscaleFactor);
    this.downscaleFactor = downscaleFactor;
  }

  @Override
  public Tensor forward(Tensor input) {
    long[] s = input.shape();
    int b = s.length - 3;
    long r = downscaleFactor;
    if (b < 0)
      throw new ShapeException("PixelUnshuffle: expects input to have at least 3 dimensions, but got input with "
          + s.length + " dimension(s) (shape " + Arrays.toString(s) + ")");
    for (int d = 1; d <= 2; d++)
      if (s[b + d] % r != 0)
        throw new ShapeException("PixelUnshuffle: expects " + (d == 1 ? "height" : "width") + " to be divisible by "
            + "downscale_factor, but input.size(" + (d - 3) + ")=" + s[b + d] + " is not divisible by " + r);
    long c = s[b], h = s[b + 1] / r, w = s[b + 2] / r;
    // [*, C, H, r, W, r] -> [*, C, r, r, H, W]: each r x r patch of pixels becomes r * r channels
    Tensor split = input.reshape(PixelShuffle.shape(s, b, c, h, r, w, r));
    return split.permute(PixelShuffle.order(b, 0, 2, 4, 1, 3)).reshape(PixelShuffle.shape(s, b, c * r * r, h, w));
  }

  @Override
  protected String extraRepr() {
    return "downscale_factor=" + downscaleFactor;
  }
}
