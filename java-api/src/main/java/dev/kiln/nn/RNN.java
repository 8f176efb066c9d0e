package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.utils.PackedSequence;

/**
 * The Elman RNN (torch.nn.RNN): h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), or relu, over
 * layers and optionally both directions.
 *
 * <pre>{@code
 * RNN rnn = new RNN(RNNOptions.of(10, 20).numLayers(2));
 * RNN.Output out = rnn.forward(x, null);   // x [seq, batch, 10] -> out.output() [seq, batch, 20], out.hN() [2, batch, 20]
 * }</pre>
 */
public class RNN extends RNNBase {
  /** The outputs of every step of the last layer, and the final hidden state of every layer and direction. */
  public record Output(Tensor output, Tensor hN) {}

  /** For a packed batch: the last layer's outputs, packed as the input, and h_n in the caller's batch order. */
  public record PackedOutput(PackedSequence output, Tensor hN) {}

  public RNN(int inputSize, int hiddenSize) {
    this(RNNOptions.of(inputSize, hiddenSize));
  }

  public RNN(RNNOptions options) {
    super(modeOf(options.nonlinearity), options);
  }

  private static Mode modeOf(String nonlinearity) {
    return switch (nonlinearity) {
      case "tanh" -> Mode.RNN_TANH;
      case "relu" -> Mode.RNN_RELU;
      default -> throw new IllegalArgumentException("RNN: Unknown nonlinearity '" + nonlinearity + "'. Select from 'tanh' or 'relu'.");
    };
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
