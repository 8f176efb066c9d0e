package dev.kiln.nn.functional;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;

/**
 * {@code torch.nn.functional.interpolate}, {@code grid_sample} and {@code affine_grid}. interpolate works over [N, C, W], [N, C, H, W] and [N, C, D, H, W] inputs, modes
 * "nearest" and "nearest-exact" (any of them), "linear" (3-D), "bilinear" and "bicubic" (4-D), "trilinear" (5-D)
 * and "area" (3-D and 4-D), with PyTorch's rules: exactly one of a size (long[]) or scale factors (double[]) per
 * spatial dim; from a scale the size is floor(size * scale), and the scale itself places the source positions
 * unless recomputeScaleFactor is true; alignCorners only for the interpolating modes, linear to trilinear (null:
 * false). Bicubic is Keys' convolution with a = -0.75 over edge-clamped neighbours, as PyTorch's (its values may
 * overshoot the input's range).
 *
 * <pre>{@code
 * Tensor up = Sampling.interpolate(x, new double[] {2, 2}, "nearest");
 * Tensor r = Sampling.interpolate(x, new long[] {224, 224}, "bicubic", true);
 * Tensor v = Sampling.interpolate(volume, new double[] {2, 2, 2}, "trilinear");
 * }</pre>
 *
 * <p>Backward runs native kernels; gradients of any order work. Bad input raises a {@link dev.kiln.KilnException}
 * (IllegalArgumentException for an unknown mode) naming interpolate; the input is left unchanged.
 */
public final class Sampling {
  private Sampling() {}

  private static final int INTERPOLATE = Core.op("interpolate"),
      GRID_SAMPLE = Core.op("grid_sample"),
      AFFINE_GRID = Core.op("affine_grid");

  public static Tensor interpolate(Tensor input, long[] size, String mode) {
    return interpolate(input, size, mode, null);
  }

  public static Tensor interpolate(Tensor input, long[] size, String mode, Boolean alignCorners) {
    return call(input, size, new double[0], mode, alignCorners, null);
  }

  public static Tensor interpolate(Tensor input, double[] scaleFactor, String mode) {
    return interpolate(input, scaleFactor, mode, null, null);
  }

  public static Tensor interpolate(Tensor input, double[] scaleFactor, String mode, Boolean alignCorners,
      Boolean recomputeScaleFactor) {
    return call(input, new long[0], scaleFactor, mode, alignCorners, recomputeScaleFactor);
  }

  /** One scale factor for every spatial dim. */
  public static Tensor interpolate(Tensor input, double scaleFactor, String mode) {
    double[] scales = new double[Math.max(input.dim() - 2, 0)];
    java.util.Arrays.fill(scales, scaleFactor);
    return interpolate(input, scales, mode);
  }

  /** gridSample with mode "bilinear", padding "zeros", alignCorners false (PyTorch's defaults). */
  public static Tensor gridSample(Tensor input, Tensor grid) {
    return gridSample(input, grid, "bilinear", "zeros", false);
  }

  /**
   * {@code F.grid_sample}: input [N, C, H, W] sampled at grid [N, H_out, W_out, 2], whose (x, y) in [-1, 1] span
   * the input (the corner pixels' centres when alignCorners, their outer edges otherwise), or input [N, C, D, H, W]
   * at grid [N, D_out, H_out, W_out, 3] ((x, y, z); "bilinear" is trilinear there, as in PyTorch); mode "bilinear",
   * "nearest" or "bicubic" (4-D input; 4 x 4 taps, each padded on its own); paddingMode "zeros", "border" or
   * "reflection" for positions outside. A fused kernel with a fused first derivative; gradients of any order reach
   * the input and (bilinear, bicubic) the grid.
   */
  public static Tensor gridSample(Tensor input, Tensor grid, String mode, String paddingMode, boolean alignCorners) {
    int m = switch (mode) {
      case "bilinear" -> 0;
      case "nearest" -> 1;
      case "bicubic" -> 2;
      default -> throw new IllegalArgumentException("grid_sample: mode '" + mode
          + "' is not supported (bilinear | nearest | bicubic)");
    };
    int p = switch (paddingMode) {
      case "zeros" -> 0;
      case "border" -> 1;
      case "reflection" -> 2;
      default -> throw new IllegalArgumentException("grid_sample: padding_mode '" + paddingMode
          + "' is not supported (zeros | border | reflection)");
    };
    return SpatialArgs.call(GRID_SAMPLE, SpatialArgs.handles(input, grid), new long[] {m, p, alignCorners ? 1 : 0});
  }

  /**
   * {@code F.affine_grid}: the grid [N, H, W, 2] of the affine maps theta [N, 2, 3] for size (N, C, H, W), or [N, D,
   * H, W, 3] of theta [N, 3, 4] for size (N, C, D, H, W).
   */
  public static Tensor affineGrid(Tensor theta, long[] size, boolean alignCorners) {
    long[] ints = java.util.Arrays.copyOf(size, size.length + 1);
    ints[size.length] = alignCorners ? 1 : 0;
    return SpatialArgs.call(AFFINE_GRID, SpatialArgs.handles(theta), ints);
  }

  private static Tensor call(Tensor input, long[] size, double[] scales, String mode, Boolean alignCorners,
      Boolean recompute) {
    int code = switch (mode) {
      case "nearest" -> 0;
      case "linear" -> 1;
      case "bilinear" -> 2;
      case "area" -> 3;
      case "bicubic" -> 4;
      case "trilinear" -> 5;
      case "nearest-exact" -> 6;
      default -> throw new IllegalArgumentException("interpolate: mode '" + mode
          + "' is not supported (nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact)");
    };
    long[] ints = new long[3 + size.length];
    ints[0] = code;
    ints[1] = alignCorners == null ? -1 : alignCorners ? 1 : 0;
    ints[2] = recompute == null ? -1 : recompute ? 1 : 0;
    System.arraycopy(size, 0, ints, 3, size.length);
    return SpatialArgs.call(INTERPOLATE, SpatialArgs.handles(input), ints, scales);
  }
}
