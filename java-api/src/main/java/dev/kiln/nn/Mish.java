package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x * tanh(softplus(x)), elementwise (torch.nn.Mish). */
public class Mish extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.mish(input);
  }
}
