package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** log(sigmoid(x)), computed stably (torch.nn.LogSigmoid). */
public class LogSigmoid extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return Activations.logsigmoid(input);
  }
}
