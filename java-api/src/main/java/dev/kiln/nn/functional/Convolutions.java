package dev.kiln.nn.functional;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;

/**
 * The convolutions of {@code torch.nn.functional}: conv1d/2d/3d, convTranspose1d/2d/3d, and unfold/fold (im2col
 * and col2im), with PyTorch's argument order and defaults. Inputs are [N, C, ...] or unbatched [C, ...]; a
 * convolution's weight is [out, in / groups, kernel...], a transposed convolution's [in, out / groups, kernel...];
 * the bias may be null. An int given for a per-dim argument applies to every spatial dim.
 *
 * <pre>{@code
 * Tensor y = Convolutions.conv2d(x, w, b, 1, 1, 1, 1);                     // F.conv2d(x, w, b, padding=1)
 * Tensor z = Convolutions.conv2d(x, w, null, new int[] {1, 1}, "same", new int[] {2, 2}, 1);
 * Tensor u = Convolutions.convTranspose2d(y, w2, null, 2, 1, 1, 1, 1);     // stride 2, padding 1, output_padding 1
 * Tensor cols = Convolutions.unfold(x, new int[] {3, 3});                  // [N, C * 9, L]
 * }</pre>
 *
 * <p>They run im2col + GEMM (OpenBLAS) natively, forward and backward; gradients of any order work. Bad input raises
 * a {@link dev.kiln.KilnException} (or IllegalArgumentException for a bad padding string) naming the function and
 * the shapes; the inputs are left unchanged.
 */
public final class Convolutions {
  private Convolutions() {}

  private static final int[] CONV = {Core.op("conv1d"), Core.op("conv2d"), Core.op("conv3d")};
  private static final int[] CONV_T = {Core.op("conv_transpose1d"), Core.op("conv_transpose2d"),
      Core.op("conv_transpose3d")};
  private static final int IM2COL = Core.op("im2col"), COL2IM = Core.op("col2im");

  // ---------------------------------------------------------------- conv1d, conv2d, conv3d

  public static Tensor conv1d(Tensor input, Tensor weight) {
    return conv1d(input, weight, null);
  }

  public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias) {
    return conv1d(input, weight, bias, 1, 0, 1, 1);
  }

  public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation,
      int groups) {
    return conv(1, input, weight, bias, new int[] {stride}, new int[] {padding}, 0, new int[] {dilation}, groups);
  }

  /** padding "same" (the output keeps the input's length; stride 1) or "valid" (none). */
  public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, String padding, int dilation,
      int groups) {
    return conv(1, input, weight, bias, new int[] {stride}, new int[] {0}, mode("conv1d", padding),
        new int[] {dilation}, groups);
  }

  public static Tensor conv2d(Tensor input, Tensor weight) {
    return conv2d(input, weight, null);
  }

  public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias) {
    return conv2d(input, weight, bias, 1, 0, 1, 1);
  }

  public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation,
      int groups) {
    return conv2d(input, weight, bias, SpatialArgs.repeat(stride, 2), SpatialArgs.repeat(padding, 2),
        SpatialArgs.repeat(dilation, 2), groups);
  }

  /** stride, padding and dilation per spatial dim (height, width). */
  public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
      int groups) {
    return conv(2, input, weight, bias, stride, padding, 0, dilation, groups);
  }

  /** padding "same" (the output keeps the input's size; stride 1) or "valid" (none). */
  public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation,
      int groups) {
    return conv(2, input, weight, bias, stride, new int[] {0, 0}, mode("conv2d", padding), dilation, groups);
  }

  public static Tensor conv3d(Tensor input, Tensor weight) {
    return conv3d(input, weight, null);
  }

  public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias) {
    return conv3d(input, weight, bias, 1, 0, 1, 1);
  }

  public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation,
      int groups) {
    return conv3d(input, weight, bias, SpatialArgs.repeat(stride, 3), SpatialArgs.repeat(padding, 3),
        SpatialArgs.repeat(dilation, 3), groups);
  }

  public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
      int groups) {
    return conv(3, input, weight, bias, stride, padding, 0, dilation, groups);
  }

  public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation,
      int groups) {
    return conv(3, input, weight, bias, stride, new int[] {0, 0, 0}, mode("conv3d", padding), dilation, groups);
  }

  // ---------------------------------------------------------------- transposed convolutions

  public static Tensor convTranspose1d(Tensor input, Tensor weight) {
    return convTranspose1d(input, weight, null);
  }

  public static Tensor convTranspose1d(Tensor input, Tensor weight, Tensor bias) {
    return convTranspose1d(input, weight, bias, 1, 0, 0, 1, 1);
  }

  /** PyTorch's order: stride, padding, outputPadding, groups, dilation. */
  public static Tensor convTranspose1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding,
      int outputPadding, int groups, int dilation) {
    return convTranspose(1, input, weight, bias, new int[] {stride}, new int[] {padding}, new int[] {outputPadding},
        groups, new int[] {dilation});
  }

  public static Tensor convTranspose2d(Tensor input, Tensor weight) {
    return convTranspose2d(input, weight, null);
  }

  public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias) {
    return convTranspose2d(input, weight, bias, 1, 0, 0, 1, 1);
  }

  public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding,
      int outputPadding, int groups, int dilation) {
    return convTranspose2d(input, weight, bias, SpatialArgs.repeat(stride, 2), SpatialArgs.repeat(padding, 2),
        SpatialArgs.repeat(outputPadding, 2), groups, SpatialArgs.repeat(dilation, 2));
  }

  public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    return convTranspose(2, input, weight, bias, stride, padding, outputPadding, groups, dilation);
  }

  public static Tensor convTranspose3d(Tensor input, Tensor weight, Tensor bias, int stride, int padding,
      int outputPadding, int groups, int dilation) {
    return convTranspose(3, input, weight, bias, SpatialArgs.repeat(stride, 3), SpatialArgs.repeat(padding, 3),
        SpatialArgs.repeat(outputPadding, 3), groups, SpatialArgs.repeat(dilation, 3));
  }

  public static Tensor convTranspose3d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    return convTranspose(3, input, weight, bias, stride, padding, outputPadding, groups, dilation);
  }

  // ---------------------------------------------------------------- unfold, fold

  /** The sliding kernelSize blocks of a [N, C, H, W] (or [C, H, W]) input as columns [N, C * kh * kw, L]. */
  public static Tensor unfold(Tensor input, int[] kernelSize) {
    return unfold(input, kernelSize, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1});
  }

  public static Tensor unfold(Tensor input, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
    check2("unfold", kernelSize, dilation, padding, stride);
    return SpatialArgs.call(IM2COL, SpatialArgs.handles(input), SpatialArgs.ints(kernelSize, dilation, padding, stride));
  }

  /** The inverse of unfold for non-overlapping blocks; overlapping blocks are summed. outputSize is (H, W). */
  public static Tensor fold(Tensor input, int[] outputSize, int[] kernelSize) {
    return fold(input, outputSize, kernelSize, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1});
  }

  public static Tensor fold(Tensor input, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding,
      int[] stride) {
    check2("fold", outputSize, kernelSize, dilation, padding, stride);
    return SpatialArgs.call(COL2IM, SpatialArgs.handles(input),
        SpatialArgs.ints(outputSize, kernelSize, dilation, padding, stride));
  }

  // ---------------------------------------------------------------- any number of spatial dims

  /** conv1d, conv2d or conv3d (nd = 1, 2, 3) with per-dim arguments: what the Conv layers call. */
  public static Tensor conv(int nd, Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
      int groups) {
    return conv(nd, input, weight, bias, stride, padding, 0, dilation, groups);
  }

  /** The same with padding "same" or "valid". */
  public static Tensor conv(int nd, Tensor input, Tensor weight, Tensor bias, int[] stride, String padding,
      int[] dilation, int groups) {
    return conv(nd, input, weight, bias, stride, new int[nd], mode("conv" + nd + "d", padding), dilation, groups);
  }

  /** convTranspose1d, 2d or 3d (nd = 1, 2, 3), PyTorch's argument order. */
  public static Tensor convTranspose(int nd, Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    checkLengths("conv_transpose" + nd + "d", nd, stride, padding, outputPadding, dilation);
    return SpatialArgs.call(CONV_T[nd - 1], SpatialArgs.handles(input, weight, bias),
        SpatialArgs.ints(stride, padding, outputPadding, groups, dilation));
  }

  // ---------------------------------------------------------------- packing

  private static Tensor conv(int nd, Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int mode,
      int[] dilation, int groups) {
    String name = "conv" + nd + "d";
    checkLengths(name, nd, stride, padding, dilation);
    return SpatialArgs.call(CONV[nd - 1], SpatialArgs.handles(input, weight, bias),
        SpatialArgs.ints(stride, padding, dilation, groups, mode));
  }

  private static int mode(String op, String padding) {
    return switch (padding) {
      case "same" -> 1;
      case "valid" -> 2;
      default -> throw new IllegalArgumentException(
          op + ": invalid padding string '" + padding + "', should be one of {'valid', 'same'}");
    };
  }

  private static void checkLengths(String op, int nd, int[]... lists) {
    for (int[] l : lists)
      if (l == null || l.length != nd)
        throw new IllegalArgumentException(op + ": stride, padding, output padding and dilation need " + nd
            + " values each, got " + (l == null ? "null" : java.util.Arrays.toString(l)));
  }

  private static void check2(String op, int[]... lists) {
    for (int[] l : lists)
      if (l == null || l.length != 2)
        throw new IllegalArgumentException(op + ": sizes need 2 values each (height, width), got "
            + (l == null ? "null" : java.util.Arrays.toString(l)));
  }
}
