package dev.kiln.nn;

import dev.kiln.Tensor;

/** One step of the LSTM (torch.nn.LSTMCell): (h', c') from x and (h, c). */
public class LSTMCell extends RNNCellBase {
  /** The new hidden and cell states. */
  public record State(Tensor h, Tensor c) {}

  public LSTMCell(int inputSize, int hiddenSize) {
    this(inputSize, hiddenSize, true);
  }

  public LSTMCell(int inputSize, int hiddenSize, boolean bias) {
    super(RNNBase.Mode.LSTM, inputSize, hiddenSize, bias);
  }

  /** h' from zero states. */
  @Override
  public Tensor forward(Tensor input) {
    return forward(input, null, null).h();
  }

  /** (h', c') from (h, c) ([batch, hidden], or [hidden] for unbatched input); both null for zeros. */
  public State forward(Tensor input, Tensor h, Tensor c) {
    if ((h == null) != (c == null)) throw new IllegalArgumentException("LSTMCell: give both h and c, or neither");
    return callWithHooks(h == null ? new Tensor[] {input} : new Tensor[] {input, h, c}, in -> {
      Tensor[] s = step(in[0], in.length > 1 ? in[1] : null, in.length > 1 ? in[2] : null);
      return new State(s[0], s[1]);
    });
  }
}
