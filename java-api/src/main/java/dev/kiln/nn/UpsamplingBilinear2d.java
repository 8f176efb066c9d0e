package dev.kiln.nn;

/**
 * Bilinear upsampling of [N, C, H, W] input with the corners aligned (torch.nn.UpsamplingBilinear2d):
 * {@link Upsample} with mode "bilinear" and alignCorners true, to a size (H, W) or by a scale factor (one value
 * or one per dim), exactly one of the two non-null.
 */
public class UpsamplingBilinear2d extends Upsample {
  public UpsamplingBilinear2d(double scaleFactor) {
    this(null, new double[] {scaleFactor});
  }

  public UpsamplingBilinear2d(long[] size, double[] scaleFactor) {
    super(size, scaleFactor, "bilinear", true, null);
  }
}
