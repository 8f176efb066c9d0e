package dev.kiln.nn;

import dev.kiln.Tensor;

/** softmax over the channels of [N, C, H, W] or [C, H, W] input, at every location (torch.nn.Softmax2d). */
public class Softmax2d extends Module {
  @Override
  public Tensor forward(Tensor input) {
    if (input.dim() != 3 && input.dim() != 4)
      throw new dev.kiln.ShapeException("Softmax2d: expected 3-D or 4-D input, got shape " + java.util.Arrays.toString(input.shape()));
    return input.softmax(-3);
  }
}
