package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Convolutions;

/**
 * Sums columns [N, C * kh * kw, L] (or [C * kh * kw, L]) back into an image [N, C, H, W] of outputSize (H, W)
 * (torch.nn.Fold, col2im: the adjoint of {@link Unfold}; overlapping blocks add up). Each size is an int (used for
 * both dims) or a pair; dilation 1, padding 0 and stride 1 by default. {@code new Fold(4, 2)}.
 */
public class Fold extends Module {
  private final int[] outputSize, kernelSize, dilation, padding, stride;

  public Fold(int outputSize, int kernelSize) {
    this(new int[] {outputSize}, new int[] {kernelSize});
  }

  public Fold(int[] outputSize, int[] kernelSize) {
    this(outputSize, kernelSize, new int[] {1}, new int[] {0}, new int[] {1});
  }

  public Fold(int[] outputSize, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
    this.outputSize = Unfold.checked("Fold", "output_size", outputSize);
    this.kernelSize = Unfold.checked("Fold", "kernel_size", kernelSize);
    this.dilation = Unfold.checked("Fold", "dilation", dilation);
    this.padding = Unfold.checked("Fold", "padding", padding);
    this.stride = Unfold.checked("Fold", "stride", stride);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Convolutions.fold(input, Unfold.pair(outputSize), Unfold.pair(kernelSize), Unfold.pair(dilation),
        Unfold.pair(padding), Unfold.pair(stride));
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + Unfold.repr(outputSize) + ", kernel_size=" + Unfold.repr(kernelSize) + ", dilation="
        + Unfold.repr(dilation) + ", padding=" + Unfold.repr(padding) + ", stride=" + Unfold.repr(stride);
  }
}
