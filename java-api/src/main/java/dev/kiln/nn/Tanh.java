package dev.kiln.nn;

import dev.kiln.Tensor;

/** tanh, elementwise (torch.nn.Tanh). */
public class Tanh extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return input.tanh();
  }
}
