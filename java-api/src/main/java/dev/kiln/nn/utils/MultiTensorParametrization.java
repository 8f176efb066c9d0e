package dev.kiln.nn.utils;

import dev.kiln.Tensor;
import dev.kiln.nn.Module;
import java.util.Arrays;
import java.util.List;

/**
 * A parametrization of one tensor by several (PyTorch's parametrization whose {@code right_inverse} returns a
 * sequence and whose forward takes that many tensors): registered first on a tensor, its right inverse splits the
 * tensor into the originals kept as {@code parametrizations.<name>.original0}, {@code original1}, ... and forward
 * makes the tensor from them. Only the first parametrization of a tensor may be one.
 *
 * <pre>{@code
 * class ScaledDirection extends MultiTensorParametrization {      // w = s * d
 *   public Tensor forward(List<Tensor> t) { return t.get(1).mul(t.get(0)); }
 *   public List<Tensor> rightInverse(Tensor w) { Tensor s = w.norm(); return List.of(s, w.div(s)); }
 * }
 * }</pre>
 */
public abstract class MultiTensorParametrization extends Module {
  /** The parametrized tensor from the originals, in the order rightInverse gives them. */
  public abstract Tensor forward(List<Tensor> originals);

  /** The originals (at least one) that forward maps to value, each of the dtype its original keeps. */
  public abstract List<Tensor> rightInverse(Tensor value);

  /** Runs forward with the forward pre-hooks and hooks, as calling the Python module does. */
  public final Tensor call(List<Tensor> originals) {
    return callWithHooks(originals.toArray(new Tensor[0]), in -> forward(Arrays.asList(in)));
  }
}
