package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x * hardsigmoid(x) (torch.nn.Hardswish). */
public class Hardswish extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.hardswish(input);
  }
}
