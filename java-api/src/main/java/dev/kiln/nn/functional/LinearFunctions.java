package dev.kiln.nn.functional;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;

/**
 * {@code torch.nn.functional.linear}: {@code x @ weight^T + bias} over any leading dims of x, as one native op
 * (one GEMM into an output prefilled with the bias) with its own derivative.
 *
 * <pre>{@code
 * Tensor y = LinearFunctions.linear(x, weight, bias);   // x [..., in], weight [out, in], bias [out] -> [..., out]
 * }</pre>
 */
public final class LinearFunctions {
  private LinearFunctions() {}

  private static final int LINEAR = Core.op("linear");

  /** {@code x @ weight^T}. */
  public static Tensor linear(Tensor x, Tensor weight) {
    return linear(x, weight, null);
  }

  /** {@code x @ weight^T + bias}; bias may be null, or any shape that broadcasts to the output. */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    return SpatialArgs.call(LINEAR, SpatialArgs.handles(x, weight, bias), new long[0]);
  }
}
