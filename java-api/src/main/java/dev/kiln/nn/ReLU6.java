package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** min(max(x, 0), 6), elementwise (torch.nn.ReLU6). */
public class ReLU6 extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.relu6(input);
  }
}
