package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.utils.PackedSequence;

/**
 * The gated recurrent unit (torch.nn.GRU): reset and update gates r, z, candidate n = tanh(x W_in + b_in +
 * r (h W_hn + b_hn)), h_t = (1 - z) n + z h_{t-1}, over layers and optionally both directions.
 */
public class GRU extends RNNBase {
  /** The outputs of every step of the last layer, and the final hidden state of every layer and direction. */
  public record Output(Tensor output, Tensor hN) {}

  /** For a packed batch: the last layer's outputs, packed as the input, and h_n in the caller's batch order. */
  public record PackedOutput(PackedSequence output, Tensor hN) {}

  public GRU(int inputSize, int hiddenSize) {
    this(RNNOptions.of(inputSize, hiddenSize));
  }

  public GRU(RNNOptions options) {
    super(Mode.GRU, options);
  }

  /** The output sequence only (h0 zeros). */
  @Override
  public Tensor forward(Tensor input) {
    return forward(input, null).output();
  }

  /** h0: [numLayers * directions, batch, hidden] (or without batch for unbatched input), or null for zeros. */
  public Output forward(Tensor input, Tensor h0) {
    return callWithHooks(h0 == null ? new Tensor[] {input} : new Tensor[] {input, h0}, in -> {
      Tensor[] r = run(in[0], in.length > 1 ? in[1] : null, null);
      return new Output(r[0], r[1]);
    });
  }

  /**
   * A packed batch ({@link dev.kiln.nn.utils.RnnUtils}), each sequence over its own length; h0 as above, in the
   * caller's batch order. Hooks see the packed data as the input.
   */
  public PackedOutput forward(PackedSequence input, Tensor h0) {
    return callWithHooks(h0 == null ? new Tensor[] {input.data()} : new Tensor[] {input.data(), h0}, in -> {
      Tensor[] r = runPacked(input, in[0], in.length > 1 ? in[1] : null, null);
      return new PackedOutput(input.withData(r[0]), r[1]);
    });
  }
}
