package dev.kiln.nn;

import dev.kiln.Tensor;

/** Returns its input (torch.nn.Identity): a placeholder, e.g. to remove a layer from a model. */
public class Identity extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return input;
  }
}
