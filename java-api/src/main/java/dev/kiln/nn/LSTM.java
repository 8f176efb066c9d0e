package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.utils.PackedSequence;

/**
 * Long short-term memory (torch.nn.LSTM): gates i, f, g, o from x_t and h_{t-1}, c_t = f c_{t-1} + i g,
 * h_t = o tanh(c_t) (projected by W_hr when projSize > 0), over layers and optionally both directions.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(RNNOptions.of(1, 32).batchFirst(true));
 * LSTM.Output out = lstm.forward(x, null, null);   // x [batch, seq, 1]
 * Tensor last = out.hN().select(0, 0);              // [batch, 32]
 * }</pre>
 */
public class LSTM extends RNNBase {
  /** The outputs of every step of the last layer, and the final hidden and cell states of every layer and direction. */
  public record Output(Tensor output, Tensor hN, Tensor cN) {}

  /** For a packed batch: the last layer's outputs, packed as the input, and h_n, c_n in the caller's batch order. */
  public record PackedOutput(PackedSequence output, Tensor hN, Tensor cN) {}

  public LSTM(int inputSize, int hiddenSize) {
    this(RNNOptions.of(inputSize, hiddenSize));
  }

  public LSTM(RNNOptions options) {
    super(Mode.LSTM, options);
  }

  /** The output sequence only (zero initial states). */
  @Override
  public Tensor forward(Tensor input) {
    return forward(input, null, null).output();
  }

  /**
   * h0: [numLayers * directions, batch, projSize or hiddenSize], c0: [numLayers * directions, batch,
   * hiddenSize] (without batch for unbatched input); both null for zeros, or both given.
   */
  public Output forward(Tensor input, Tensor h0, Tensor c0) {
    if ((h0 == null) != (c0 == null)) throw new IllegalArgumentException("LSTM: give both h0 and c0, or neither");
    return callWithHooks(h0 == null ? new Tensor[] {input} : new Tensor[] {input, h0, c0}, in -> {
      Tensor[] r = run(in[0], in.length > 1 ? in[1] : null, in.length > 1 ? in[2] : null);
      return new Output(r[0], r[1], r[2]);
    });
  }

  /**
   * A packed batch ({@link dev.kiln.nn.utils.RnnUtils}), each sequence over its own length; h0 and c0 as above,
   * in the caller's batch order. Hooks see the packed data as the input.
   */
  public PackedOutput forward(PackedSequence input, Tensor h0, Tensor c0) {
    if ((h0 == null) != (c0 == null)) throw new IllegalArgumentException("LSTM: give both h0 and c0, or neither");
    return callWithHooks(h0 == null ? new Tensor[] {input.data()} : new Tensor[] {input.data(), h0, c0}, in -> {
      Tensor[] r = runPacked(input, in[0], in.length > 1 ? in[1] : null, in.length > 1 ? in[2] : null);
      return new PackedOutput(input.withData(r[0]), r[1], r[2]);
    });
  }
}
