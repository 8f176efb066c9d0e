package dev.kiln.nn;

import dev.kiln.Tensor;

/** sigmoid, elementwise (torch.nn.Sigmoid). */
public class Sigmoid extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return input.sigmoid();
  }
}
