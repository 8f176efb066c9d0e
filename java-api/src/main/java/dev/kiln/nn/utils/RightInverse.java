package dev.kiln.nn.utils;

import dev.kiln.Tensor;

/**
 * The optional right inverse of a parametrization (PyTorch's {@code right_inverse} method): implemented by a
 * parametrization module whose forward maps the original tensor to the parametrized one, it maps a value back to
 * an original that forward takes to it (or to something close, where forward is not onto). Registering the first
 * parametrization of a tensor starts the original at {@code rightInverse(tensor)}, and assigning to a parametrized
 * tensor ({@code module.setTensor("weight", value)}) sets the original to {@code rightInverse(value)}. Throwing
 * UnsupportedOperationException (Python's NotImplementedError) makes registration keep the tensor as it is.
 *
 * <pre>{@code
 * class Symmetric extends Module implements RightInverse {
 *   public Tensor forward(Tensor x) { return x.triu().add(x.triu(1).transpose(0, 1)); }
 *   public Tensor rightInverse(Tensor a) { return a.triu(); }
 * }
 * }</pre>
 */
public interface RightInverse {
  /** An original tensor that the parametrization's forward maps to value; the same dtype as value. */
  Tensor rightInverse(Tensor value);
}
