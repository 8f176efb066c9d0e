package dev.kiln.nn;

import dev.kiln.Tensor;

/** log(softmax(x)) along dim, computed in one stable pass (torch.nn.LogSoftmax). */
public class LogSoftmax extends Module {
  private final int dim;

  public LogSoftmax(int dim) {
    this.dim = dim;
  }

  @Override
  public Tensor forward(Tensor input) {
    return input.logSoftmax(dim);
  }

  @Override
  protected String extraRepr() {
    return "dim=" + dim;
  }
}
