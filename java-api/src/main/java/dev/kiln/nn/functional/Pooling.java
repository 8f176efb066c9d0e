package dev.kiln.nn.functional;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.internal.Core;

/**
 * The pooling functions of {@code torch.nn.functional}: max (optionally with the indices of the maxima, flat
 * positions in each input plane or volume), average and adaptive pools, 1-D, 2-D and 3-D, with PyTorch's defaults
 * (the stride defaults to the kernel size: pass null or 0), the power-average (p-norm) pools lpPool1d/2d/3d and
 * fractional max pooling (2-D, 3-D). Inputs are [N, C, ...] or unbatched [C, ...].
 *
 * <pre>{@code
 * Tensor p = Pooling.maxPool2d(x, 2);                                        // F.max_pool2d(x, 2)
 * ValuesAndIndices m = Pooling.maxPool2dWithIndices(x, new int[] {3, 3}, new int[] {2, 2},
 *     new int[] {1, 1}, new int[] {1, 1}, true);                             // ceil_mode=True
 * Tensor a = Pooling.avgPool2d(x, new int[] {3, 3}, null, new int[] {1, 1}, false, false, null);
 * Tensor g = Pooling.adaptiveAvgPool2d(x, new int[] {1, 1});                 // global average
 * Tensor v = Pooling.maxPool3d(volume, 2);                                   // F.max_pool3d(volume, 2)
 * }</pre>
 *
 * <p>Backward runs native kernels; gradients of any order work. Bad input raises a {@link dev.kiln.KilnException}
 * naming the function and the shapes; the inputs are left unchanged.
 */
public final class Pooling {
  private Pooling() {}

  private static final int MAX_POOL2D = Core.op("max_pool2d"),
      MAX_POOL2D_INDICES = Core.op("max_pool2d_with_indices"),
      MAX_POOL1D = Core.op("max_pool1d"),
      MAX_POOL1D_INDICES = Core.op("max_pool1d_with_indices"),
      AVG_POOL2D = Core.op("avg_pool2d"),
      AVG_POOL1D = Core.op("avg_pool1d"),
      ADAPTIVE_AVG2D = Core.op("adaptive_avg_pool2d"),
      ADAPTIVE_AVG1D = Core.op("adaptive_avg_pool1d"),
      ADAPTIVE_MAX2D = Core.op("adaptive_max_pool2d"),
      ADAPTIVE_MAX1D = Core.op("adaptive_max_pool1d"),
      MAX_POOL3D = Core.op("max_pool3d"),
      MAX_POOL3D_INDICES = Core.op("max_pool3d_with_indices"),
      AVG_POOL3D = Core.op("avg_pool3d"),
      ADAPTIVE_AVG3D = Core.op("adaptive_avg_pool3d"),
      ADAPTIVE_MAX3D = Core.op("adaptive_max_pool3d"),
      MAX_UNPOOL1D = Core.op("max_unpool1d"),
      MAX_UNPOOL2D = Core.op("max_unpool2d"),
      MAX_UNPOOL3D = Core.op("max_unpool3d"),
      LP_POOL1D = Core.op("lp_pool1d"),
      LP_POOL2D = Core.op("lp_pool2d"),
      LP_POOL3D = Core.op("lp_pool3d"),
      FRACTIONAL_MAX2D = Core.op("fractional_max_pool2d"),
      FRACTIONAL_MAX3D = Core.op("fractional_max_pool3d");

  // ---------------------------------------------------------------- max

  public static Tensor maxPool1d(Tensor input, int kernelSize) {
    return maxPool1d(input, kernelSize, 0, 0, 1, false);
  }

  /** stride 0: the kernel size. */
  public static Tensor maxPool1d(Tensor input, int kernelSize, int stride, int padding, int dilation,
      boolean ceilMode) {
    return SpatialArgs.call(MAX_POOL1D, SpatialArgs.handles(input),
        window1d(kernelSize, stride, padding, dilation, ceilMode));
  }

  public static ValuesAndIndices maxPool1dWithIndices(Tensor input, int kernelSize, int stride, int padding,
      int dilation, boolean ceilMode) {
    return SpatialArgs.call2(MAX_POOL1D_INDICES, SpatialArgs.handles(input),
        window1d(kernelSize, stride, padding, dilation, ceilMode));
  }

  public static Tensor maxPool2d(Tensor input, int kernelSize) {
    return maxPool2d(input, new int[] {kernelSize, kernelSize}, null, new int[] {0, 0}, new int[] {1, 1}, false);
  }

  public static Tensor maxPool2d(Tensor input, int kernelSize, int stride) {
    return maxPool2d(input, new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, new int[] {0, 0},
        new int[] {1, 1}, false);
  }

  /** Sizes per dim (height, width); stride null: the kernel size. */
  public static Tensor maxPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    return SpatialArgs.call(MAX_POOL2D, SpatialArgs.handles(input),
        window2d("max_pool2d", kernelSize, stride, padding, dilation, ceilMode));
  }

  public static ValuesAndIndices maxPool2dWithIndices(Tensor input, int kernelSize) {
    return maxPool2dWithIndices(input, new int[] {kernelSize, kernelSize}, null, new int[] {0, 0}, new int[] {1, 1},
        false);
  }

  public static ValuesAndIndices maxPool2dWithIndices(Tensor input, int[] kernelSize, int[] stride, int[] padding,
      int[] dilation, boolean ceilMode) {
    return SpatialArgs.call2(MAX_POOL2D_INDICES, SpatialArgs.handles(input),
        window2d("max_pool2d", kernelSize, stride, padding, dilation, ceilMode));
  }

  public static Tensor maxPool3d(Tensor input, int kernelSize) {
    return maxPool3d(input, same3(kernelSize), null, same3(0), same3(1), false);
  }

  /** Sizes per dim (depth, height, width); stride null: the kernel size. */
  public static Tensor maxPool3d(Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    return SpatialArgs.call(MAX_POOL3D, SpatialArgs.handles(input),
        window("max_pool3d", 3, kernelSize, stride, padding, dilation, ceilMode));
  }

  public static ValuesAndIndices maxPool3dWithIndices(Tensor input, int[] kernelSize, int[] stride, int[] padding,
      int[] dilation, boolean ceilMode) {
    return SpatialArgs.call2(MAX_POOL3D_INDICES, SpatialArgs.handles(input),
        window("max_pool3d", 3, kernelSize, stride, padding, dilation, ceilMode));
  }

  // ---------------------------------------------------------------- average

  public static Tensor avgPool1d(Tensor input, int kernelSize) {
    return avgPool1d(input, kernelSize, 0, 0, false, true);
  }

  public static Tensor avgPool1d(Tensor input, int kernelSize, int stride, int padding, boolean ceilMode,
      boolean countIncludePad) {
    return SpatialArgs.call(AVG_POOL1D, SpatialArgs.handles(input),
        SpatialArgs.ints(kernelSize, stride == 0 ? kernelSize : stride, padding, ceilMode, countIncludePad));
  }

  public static Tensor avgPool2d(Tensor input, int kernelSize) {
    return avgPool2d(input, new int[] {kernelSize, kernelSize}, null, new int[] {0, 0}, false, true, null);
  }

  /** stride null: the kernel size; divisorOverride null: divide by the window's (padded or not) size. */
  public static Tensor avgPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
      boolean countIncludePad, Integer divisorOverride) {
    check2("avg_pool2d", kernelSize, stride == null ? kernelSize : stride, padding);
    return SpatialArgs.call(AVG_POOL2D, SpatialArgs.handles(input),
        SpatialArgs.ints(kernelSize, stride == null ? kernelSize : stride, padding, ceilMode, countIncludePad,
            divisorOverride != null, divisorOverride == null ? 0 : divisorOverride));
  }

  public static Tensor avgPool3d(Tensor input, int kernelSize) {
    return avgPool3d(input, same3(kernelSize), null, same3(0), false, true, null);
  }

  /** Sizes per dim (depth, height, width); stride null: the kernel size; divisorOverride may be null. */
  public static Tensor avgPool3d(Tensor input, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
      boolean countIncludePad, Integer divisorOverride) {
    check("avg_pool3d", 3, kernelSize, stride == null ? kernelSize : stride, padding);
    return SpatialArgs.call(AVG_POOL3D, SpatialArgs.handles(input),
        SpatialArgs.ints(kernelSize, stride == null ? kernelSize : stride, padding, ceilMode, countIncludePad,
            divisorOverride != null, divisorOverride == null ? 0 : divisorOverride));
  }

  // ---------------------------------------------------------------- power average

  public static Tensor lpPool1d(Tensor input, double normType, int kernelSize) {
    return lpPool1d(input, normType, kernelSize, 0, false);
  }

  /**
   * (sum of x^p over each window)^(1/p), p = normType, without padding (torch's lp_pool1d: an average pool of x^p
   * times the kernel size, so ceilMode's partial windows come out as in PyTorch). stride 0: the kernel size.
   */
  public static Tensor lpPool1d(Tensor input, double normType, int kernelSize, int stride, boolean ceilMode) {
    return SpatialArgs.call(LP_POOL1D, SpatialArgs.handles(input), SpatialArgs.ints(kernelSize, stride, ceilMode),
        normType);
  }

  public static Tensor lpPool2d(Tensor input, double normType, int kernelSize) {
    return lpPool2d(input, normType, new int[] {kernelSize, kernelSize}, null, false);
  }

  /** lpPool1d over windows of (height, width); stride null: the kernel size. */
  public static Tensor lpPool2d(Tensor input, double normType, int[] kernelSize, int[] stride, boolean ceilMode) {
    return lpPool(LP_POOL2D, "lp_pool2d", 2, input, normType, kernelSize, stride, ceilMode);
  }

  public static Tensor lpPool3d(Tensor input, double normType, int kernelSize) {
    return lpPool3d(input, normType, same3(kernelSize), null, false);
  }

  /** lpPool1d over windows of (depth, height, width); stride null: the kernel size. */
  public static Tensor lpPool3d(Tensor input, double normType, int[] kernelSize, int[] stride, boolean ceilMode) {
    return lpPool(LP_POOL3D, "lp_pool3d", 3, input, normType, kernelSize, stride, ceilMode);
  }

  private static Tensor lpPool(int op, String name, int dims, Tensor input, double normType, int[] kernelSize,
      int[] stride, boolean ceilMode) {
    int[] s = stride == null ? kernelSize : stride;
    check(name, dims, kernelSize, s);
    return SpatialArgs.call(op, SpatialArgs.handles(input), SpatialArgs.ints(kernelSize, s, ceilMode), normType);
  }

  // ---------------------------------------------------------------- adaptive

  public static Tensor adaptiveAvgPool1d(Tensor input, int outputSize) {
    return SpatialArgs.call(ADAPTIVE_AVG1D, SpatialArgs.handles(input), SpatialArgs.ints(outputSize));
  }

  public static Tensor adaptiveAvgPool2d(Tensor input, int outputSize) {
    return adaptiveAvgPool2d(input, new int[] {outputSize, outputSize});
  }

  public static Tensor adaptiveAvgPool2d(Tensor input, int[] outputSize) {
    check2("adaptive_avg_pool2d", outputSize);
    return SpatialArgs.call(ADAPTIVE_AVG2D, SpatialArgs.handles(input), SpatialArgs.ints(outputSize));
  }

  public static Tensor adaptiveMaxPool1d(Tensor input, int outputSize) {
    ValuesAndIndices r = adaptiveMaxPool1dWithIndices(input, outputSize);
    r.indices().close();
    return r.values();
  }

  public static ValuesAndIndices adaptiveMaxPool1dWithIndices(Tensor input, int outputSize) {
    return SpatialArgs.call2(ADAPTIVE_MAX1D, SpatialArgs.handles(input), SpatialArgs.ints(outputSize));
  }

  public static Tensor adaptiveMaxPool2d(Tensor input, int[] outputSize) {
    ValuesAndIndices r = adaptiveMaxPool2dWithIndices(input, outputSize);
    r.indices().close();
    return r.values();
  }

  public static ValuesAndIndices adaptiveMaxPool2dWithIndices(Tensor input, int[] outputSize) {
    check2("adaptive_max_pool2d", outputSize);
    return SpatialArgs.call2(ADAPTIVE_MAX2D, SpatialArgs.handles(input), SpatialArgs.ints(outputSize));
  }

  public static Tensor adaptiveAvgPool3d(Tensor input, int outputSize) {
    return adaptiveAvgPool3d(input, same3(outputSize));
  }

  public static Tensor adaptiveAvgPool3d(Tensor input, int[] outputSize) {
    check("adaptive_avg_pool3d", 3, outputSize);
    return SpatialArgs.call(ADAPTIVE_AVG3D, SpatialArgs.handles(input), SpatialArgs.ints(outputSize));
  }

  public static Tensor adaptiveMaxPool3d(Tensor input, int[] outputSize) {
    ValuesAndIndices r = adaptiveMaxPool3dWithIndices(input, outputSize);
    r.indices().close();
    return r.values();
  }

  public static ValuesAndIndices adaptiveMaxPool3dWithIndices(Tensor input, int[] outputSize) {
    check("adaptive_max_pool3d", 3, outputSize);
    return SpatialArgs.call2(ADAPTIVE_MAX3D, SpatialArgs.handles(input), SpatialArgs.ints(outputSize));
  }

  // ---------------------------------------------------------------- fractional max pooling

  /** fractionalMaxPool2d to outputSize (height, width), the fractions drawn from the global generator. */
  public static Tensor fractionalMaxPool2d(Tensor input, int[] kernelSize, int[] outputSize) {
    return fractionalMaxPool2d(input, kernelSize, outputSize, null, null, null);
  }

  /**
   * Fractional max pooling (F.fractional_max_pool2d, Graham 2014): windows of kernelSize (height, width) whose starts
   * follow a pseudo-random sequence, one fraction in [0, 1) per (n, c) and dim, so that [N, C, H, W] shrinks by a
   * ratio that need not be an integer. Give outputSize, or outputRatio (the size is then {@code floor(H * ratio)}),
   * the other null. randomSamples: those fractions, [N, C, 2] (N 1 unbatched) in the input's dtype, PyTorch's
   * _random_samples (the same fractions give PyTorch's windows); null: drawn from generator (null: the global one).
   */
  public static Tensor fractionalMaxPool2d(Tensor input, int[] kernelSize, int[] outputSize, double[] outputRatio,
      Tensor randomSamples, Generator generator) {
    return valuesOnly(fractionalMaxPool2dWithIndices(input, kernelSize, outputSize, outputRatio, randomSamples,
        generator));
  }

  /** fractionalMaxPool2d and the flat index h * W + w of each maximum in its plane (return_indices=True). */
  public static ValuesAndIndices fractionalMaxPool2dWithIndices(Tensor input, int[] kernelSize, int[] outputSize,
      double[] outputRatio, Tensor randomSamples, Generator generator) {
    return fractional(FRACTIONAL_MAX2D, "fractional_max_pool2d", 2, input, kernelSize, outputSize, outputRatio,
        randomSamples, generator);
  }

  /** fractionalMaxPool3d to outputSize (depth, height, width), the fractions drawn from the global generator. */
  public static Tensor fractionalMaxPool3d(Tensor input, int[] kernelSize, int[] outputSize) {
    return fractionalMaxPool3d(input, kernelSize, outputSize, null, null, null);
  }

  /**
   * fractionalMaxPool2d over volumes (F.fractional_max_pool3d): sizes per dim (depth, height, width), fractions
   * [N, C, 3].
   */
  public static Tensor fractionalMaxPool3d(Tensor input, int[] kernelSize, int[] outputSize, double[] outputRatio,
      Tensor randomSamples, Generator generator) {
    return valuesOnly(fractionalMaxPool3dWithIndices(input, kernelSize, outputSize, outputRatio, randomSamples,
        generator));
  }

  /** fractionalMaxPool3d and the flat index d * H * W + h * W + w of each maximum in its volume. */
  public static ValuesAndIndices fractionalMaxPool3dWithIndices(Tensor input, int[] kernelSize, int[] outputSize,
      double[] outputRatio, Tensor randomSamples, Generator generator) {
    return fractional(FRACTIONAL_MAX3D, "fractional_max_pool3d", 3, input, kernelSize, outputSize, outputRatio,
        randomSamples, generator);
  }

  private static ValuesAndIndices fractional(int op, String name, int dims, Tensor input, int[] kernelSize,
      int[] outputSize, double[] outputRatio, Tensor randomSamples, Generator generator) {
    if (outputSize == null && outputRatio == null)
      throw new IllegalArgumentException(name + " requires specifying either an output_size or an output_ratio");
    if (outputSize != null && outputRatio != null)
      throw new IllegalArgumentException(name + ": only one of output_size and output_ratio may be specified");
    int[] size = outputSize;
    if (size == null) {
      if (outputRatio.length != dims)
        throw new IllegalArgumentException(name + ": output_ratio needs " + dims + " values, got "
            + java.util.Arrays.toString(outputRatio));
      size = new int[dims];
      long[] shape = input.shape();
      for (int i = 0; i < dims; i++) // PyTorch's int(size * ratio); a too-small input is left to the op's check
        size[i] = shape.length >= dims ? (int) (shape[shape.length - dims + i] * outputRatio[i]) : 1;
    }
    check(name, dims, kernelSize, size);
    long gen = generator == null ? 0 : generator.handle();
    return SpatialArgs.call2(op, SpatialArgs.handles(input, randomSamples), SpatialArgs.ints(kernelSize, size, gen));
  }

  private static Tensor valuesOnly(ValuesAndIndices r) {
    r.indices().close();
    return r.values();
  }

  // ---------------------------------------------------------------- unpooling

  /**
   * The inverse of maxPool1dWithIndices: each value at its index of a zero output of length (L - 1) * stride -
   * 2 * padding + kernelSize, or outputSize (null: that; 1 value, or 3 with N and C; within a stride of it).
   */
  public static Tensor maxUnpool1d(Tensor input, Tensor indices, int kernelSize, int stride, int padding,
      long[] outputSize) {
    return SpatialArgs.call(MAX_UNPOOL1D, SpatialArgs.handles(input, indices), SpatialArgs.ints(kernelSize,
        stride == 0 ? kernelSize : stride, padding, outputSize == null ? new long[0] : outputSize));
  }

  public static Tensor maxUnpool2d(Tensor input, Tensor indices, int kernelSize) {
    return maxUnpool2d(input, indices, new int[] {kernelSize, kernelSize}, null, new int[] {0, 0}, null);
  }

  /** Sizes per dim (height, width); stride null: the kernel size; outputSize as in maxUnpool1d (2 or 4 values). */
  public static Tensor maxUnpool2d(Tensor input, Tensor indices, int[] kernelSize, int[] stride, int[] padding,
      long[] outputSize) {
    return unpool(MAX_UNPOOL2D, "max_unpool2d", 2, input, indices, kernelSize, stride, padding, outputSize);
  }

  /** Sizes per dim (depth, height, width); stride null: the kernel size; outputSize 3 or 5 values, or null. */
  public static Tensor maxUnpool3d(Tensor input, Tensor indices, int[] kernelSize, int[] stride, int[] padding,
      long[] outputSize) {
    return unpool(MAX_UNPOOL3D, "max_unpool3d", 3, input, indices, kernelSize, stride, padding, outputSize);
  }

  private static Tensor unpool(int op, String name, int dims, Tensor input, Tensor indices, int[] kernelSize,
      int[] stride, int[] padding, long[] outputSize) {
    int[] s = stride == null ? kernelSize : stride;
    check(name, dims, kernelSize, s, padding);
    return SpatialArgs.call(op, SpatialArgs.handles(input, indices),
        SpatialArgs.ints(kernelSize, s, padding, outputSize == null ? new long[0] : outputSize));
  }

  // ---------------------------------------------------------------- packing

  private static long[] window1d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
    return SpatialArgs.ints(kernelSize, stride == 0 ? kernelSize : stride, padding, dilation, ceilMode);
  }

  private static long[] window2d(String op, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    return window(op, 2, kernelSize, stride, padding, dilation, ceilMode);
  }

  private static long[] window(String op, int dims, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    int[] s = stride == null ? kernelSize : stride;
    check(op, dims, kernelSize, s, padding, dilation);
    return SpatialArgs.ints(kernelSize, s, padding, dilation, ceilMode);
  }

  private static void check2(String op, int[]... lists) {
    check(op, 2, lists);
  }

  private static void check(String op, int dims, int[]... lists) {
    for (int[] l : lists)
      if (l == null || l.length != dims)
        throw new IllegalArgumentException(op + ": sizes need " + dims + " values each ("
            + (dims == 2 ? "height, width" : "depth, height, width") + "), got "
            + (l == null ? "null" : java.util.Arrays.toString(l)));
  }

  private static int[] same3(int v) {
    return new int[] {v, v, v};
  }
}
