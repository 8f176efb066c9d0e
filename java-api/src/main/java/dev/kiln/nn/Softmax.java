package dev.kiln.nn;

import dev.kiln.Tensor;

/** softmax along dim, rows summing to 1 (torch.nn.Softmax); PyTorch's implicit dim (deprecated there) is not offered. */
public class Softmax extends Module {
  private final int dim;

  public Softmax(int dim) {
    this.dim = dim;
  }

  @Override
  public Tensor forward(Tensor input) {
    return input.softmax(dim);
  }

  @Override
  protected String extraRepr() {
    return "dim=" + dim;
  }
}
