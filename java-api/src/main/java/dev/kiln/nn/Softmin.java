package dev.kiln.nn;

import dev.kiln.Tensor;

/** softmax(-x) along dim (torch.nn.Softmin). */
public class Softmin extends Module {
  private final int dim;

  public Softmin(int dim) {
    this.dim = dim;
  }

  @Override
  public Tensor forward(Tensor input) {
    return input.neg().softmax(dim);
  }

  @Override
  protected String extraRepr() {
    return "dim=" + dim;
  }
}
