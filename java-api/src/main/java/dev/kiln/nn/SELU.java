package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** The self-normalising ELU, scale * elu(x, alpha) with PyTorch's constants (torch.nn.SELU). */
public class SELU extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.selu(input);
  }
}
