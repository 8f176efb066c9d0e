package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x * sigmoid(x), elementwise (torch.nn.SiLU, also called swish). */
public class SiLU extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.silu(input);
  }
}
