package dev.kiln.nn;

/**
 * Nearest-neighbour upsampling of [N, C, H, W] input (torch.nn.UpsamplingNearest2d): {@link Upsample} with mode
 * "nearest", to a size (H, W) or by a scale factor (one value or one per dim), exactly one of the two non-null.
 */
public class UpsamplingNearest2d extends Upsample {
  public UpsamplingNearest2d(double scaleFactor) {
    this(null, new double[] {scaleFactor});
  }

  public UpsamplingNearest2d(long[] size, double[] scaleFactor) {
    super(size, scaleFactor, "nearest", null, null);
  }
}
