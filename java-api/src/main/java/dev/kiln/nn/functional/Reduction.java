package dev.kiln.nn.functional;

/**
 * How a loss reduces its per-element values: PyTorch's {@code reduction=} strings as constants. {@link #BATCHMEAN}
 * (the sum divided by the batch size) is kl_div's alone; every other loss refuses it, as PyTorch does.
 *
 * <pre>{@code
 * Tensor perSample = Losses.crossEntropy(logits, labels, Reduction.NONE);
 * Reduction r = Reduction.of("sum");     // from PyTorch's spelling
 * }</pre>
 */
public enum Reduction {
  NONE("none"),
  MEAN("mean"),
  SUM("sum"),
  BATCHMEAN("batchmean");

  private final String pyName;

  Reduction(String pyName) {
    this.pyName = pyName;
  }

  /** The name PyTorch uses: "none", "mean", "sum" or "batchmean". */
  public String pyName() {
    return pyName;
  }

  /** The reduction PyTorch calls name; anything else raises PyTorch's "... is not a valid value for reduction". */
  public static Reduction of(String name) {
    for (Reduction r : values()) if (r.pyName.equals(name)) return r;
    throw new IllegalArgumentException(name + " is not a valid value for reduction");
  }

  /** The native code of a reduction every loss accepts (PyTorch's at::Reduction); op names the loss for errors. */
  long code(String op) {
    return switch (this) {
      case NONE -> 0;
      case MEAN -> 1;
      case SUM -> 2;
      case BATCHMEAN -> throw new IllegalArgumentException(op + ": batchmean is not a valid value for reduction "
          + "(only kl_div takes it)");
    };
  }
}
