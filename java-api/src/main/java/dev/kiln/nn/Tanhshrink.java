package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** {@code x - tanh(x)}, elementwise (torch.nn.Tanhshrink). */
public class Tanhshrink extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.tanhshrink(input);
  }
}
