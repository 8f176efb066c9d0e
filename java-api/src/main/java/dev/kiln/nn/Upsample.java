package dev.kiln.nn;

import dev.kiln.ArgumentException;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Sampling;
import java.util.Arrays;

/**
 * Resizes [N, C, W], [N, C, H, W] or [N, C, D, H, W] input to a size or by a scale factor per spatial dim
 * (torch.nn.Upsample, over {@link Sampling#interpolate}): mode "nearest" (the default), "nearest-exact", "linear"
 * (3-D), "bilinear" or "bicubic" (4-D), "trilinear" (5-D) or "area"; alignCorners only for the interpolating modes
 * (null: PyTorch's None, false). A size or scale factor of one value is
 * used for every spatial dim and prints as one value, as PyTorch's int or float does.
 *
 * <pre>{@code
 * new Upsample(2.0);                                             // Upsample(scale_factor=2.0, mode=nearest)
 * new Upsample(new long[] {3, 4}, null, "bilinear", true, null);  // Upsample(size=(3, 4), mode=bilinear)
 * }</pre>
 */
public class Upsample extends Module {
  private final long[] size;
  private final double[] scaleFactor;
  private final String mode;
  private final Boolean alignCorners, recomputeScaleFactor;

  /** Nearest-neighbour upsampling by scaleFactor in every spatial dim. */
  public Upsample(double scaleFactor) {
    this(scaleFactor, "nearest");
  }

  public Upsample(double scaleFactor, String mode) {
    this(null, new double[] {scaleFactor}, mode, null, null);
  }

  public Upsample(long[] size, String mode) {
    this(size, null, mode, null, null);
  }

  /** PyTorch's arguments: exactly one of size and scaleFactor (the other null); null flags are PyTorch's None. */
  public Upsample(long[] size, double[] scaleFactor, String mode, Boolean alignCorners, Boolean recomputeScaleFactor) {
    if ((size == null) == (scaleFactor == null))
      throw new ArgumentException(name() + ": " + (size == null ? "either size or scale_factor should be defined"
          : "only one of size or scale_factor should be defined"));
    if ((size != null && size.length == 0) || (scaleFactor != null && scaleFactor.length == 0))
      throw new ArgumentException(name() + ": size or scale_factor needs at least one value");
    this.size = size == null ? null : size.clone();
    this.scaleFactor = scaleFactor == null ? null : scaleFactor.clone();
    this.mode = mode;
    this.alignCorners = alignCorners;
    this.recomputeScaleFactor = recomputeScaleFactor;
  }

  @Override
  public Tensor forward(Tensor input) {
    // One value stands for every spatial dim (all dims after batch and channel), as PyTorch expands an int.
    int spatial = Math.max(input.dim() - 2, 0);
    if (size != null) {
      long[] sizes = size;
      if (size.length == 1) {
        sizes = new long[spatial];
        Arrays.fill(sizes, size[0]);
      }
      return Sampling.interpolate(input, sizes, mode, alignCorners);
    }
    double[] scales = scaleFactor;
    if (scaleFactor.length == 1) {
      scales = new double[spatial];
      Arrays.fill(scales, scaleFactor[0]);
    }
    return Sampling.interpolate(input, scales, mode, alignCorners, recomputeScaleFactor);
  }

  @Override
  protected String extraRepr() {
    String what;
    if (scaleFactor != null) {
      StringBuilder s = new StringBuilder(scaleFactor.length == 1 ? "" : "(");
      for (int i = 0; i < scaleFactor.length; i++) s.append(i > 0 ? ", " : "").append(PyRepr.num(scaleFactor[i]));
      what = "scale_factor=" + s.append(scaleFactor.length == 1 ? "" : ")");
    } else {
      what = "size=" + (size.length == 1 ? Long.toString(size[0]) : PyRepr.tuple(size));
    }
    return what + ", mode=" + mode;
  }
}
