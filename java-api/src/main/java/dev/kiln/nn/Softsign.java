package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x / (1 + |x|), elementwise (torch.nn.Softsign). */
public class Softsign extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.softsign(input);
  }
}
