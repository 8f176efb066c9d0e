package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** The piecewise-linear sigmoid, clamp(x / 6 + 1 / 2, 0, 1) (torch.nn.Hardsigmoid). */
public class Hardsigmoid extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.hardsigmoid(input);
  }
}
