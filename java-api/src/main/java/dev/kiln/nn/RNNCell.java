package dev.kiln.nn;

import dev.kiln.Tensor;

/** One step of the Elman RNN, h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) or relu (torch.nn.RNNCell). */
public class RNNCell extends RNNCellBase {
  private final String nonlinearity;

  public RNNCell(int inputSize, int hiddenSize) {
    this(inputSize, hiddenSize, true, "tanh");
  }

  public RNNCell(int inputSize, int hiddenSize, boolean bias, String nonlinearity) {
    super(modeOf(nonlinearity), inputSize, hiddenSize, bias);
    this.nonlinearity = nonlinearity;
  }

  private static RNNBase.Mode modeOf(String nonlinearity) {
    return switch (nonlinearity) {
      case "tanh" -> RNNBase.Mode.RNN_TANH;
      case "relu" -> RNNBase.Mode.RNN_RELU;
      default -> throw new IllegalArgumentException("RNNCell: Unknown nonlinearity: " + nonlinearity);
    };
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

  @Override
  protected String extraRepr() {
    return super.extraRepr() + (nonlinearity.equals("tanh") ? "" : ", nonlinearity=" + nonlinearity);
  }
}
