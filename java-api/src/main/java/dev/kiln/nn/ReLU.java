package dev.kiln.nn;

import dev.kiln.Tensor;

/** relu, elementwise (torch.nn.ReLU). */
public class ReLU extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return input.relu();
  }
}
