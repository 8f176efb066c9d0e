package dev.kiln.nn;

/**
 * What LPPool1d, 2d and 3d share: the norm, the window sizes per dim and how PyTorch prints them (an int given for
 * every dim prints as the int, a stride left out as None).
 */
public abstract class LPPoolNd extends Module {
  protected final double normType;
  protected final int[] kernelSize;
  /** null: the kernel size. */
  protected final int[] stride;
  protected final boolean ceilMode;
  private final boolean ints;

  LPPoolNd(double normType, int[] kernelSize, int[] stride, boolean ceilMode, boolean ints) {
    this.normType = normType;
    this.kernelSize = kernelSize.clone();
    this.stride = stride == null ? null : stride.clone();
    this.ceilMode = ceilMode;
    this.ints = ints;
  }

  @Override
  protected String extraRepr() {
    return "norm_type=" + PyRepr.num(normType) + ", kernel_size=" + PyRepr.intOrTuple(kernelSize, ints) + ", stride="
        + (stride == null ? "None" : PyRepr.intOrTuple(stride, ints)) + ", ceil_mode=" + (ceilMode ? "True" : "False");
  }
}
