package dev.kiln.nn;

import dev.kiln.Tensor;

/** One step of the GRU (torch.nn.GRUCell). */
public class GRUCell extends RNNCellBase {
  public GRUCell(int inputSize, int hiddenSize) {
    this(inputSize, hiddenSize, true);
  }

  public GRUCell(int inputSize, int hiddenSize, boolean bias) {
    super(RNNBase.Mode.GRU, inputSize, hiddenSize, bias);
  }

  /** h' from zero h. */
  @Override
  public Tensor forward(Tensor input) {
    return forward(input, null);
  }

  /** h' from h ([batch, hidden], or [hidden] for unbatched input; null for zeros). */
  public Tensor forward(Tensor input, Tensor h) {
    return callWithHooks(h == null ? new Tensor[] {input} : new Tensor[] {input, h}, in -> step(in[0], in.length > 1 ? in[1] : null, null)[0]);
  }
}
