package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * A tensor attribute of a module that is computed when read, as a Python property on the module's class: what
 * torch.nn.utils.parametrize puts in place of a parametrized parameter or buffer (see
 * {@link Module#registerProperty}).
 */
public interface TensorProperty {
  /** The attribute's value, computed now ({@code module.weight}). */
  Tensor get();

  /** Assigns to the attribute ({@code module.weight = value}). */
  void set(Tensor value);
}
