package dev.kiln.nn;

/**
 * The settings of RNN, LSTM and GRU, with PyTorch's names and defaults: numLayers 1, bias true, batchFirst
 * false, dropout 0 (between layers, in training), bidirectional false, nonlinearity "tanh" (RNN only),
 * projSize 0 (LSTM only).
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(RNNOptions.of(10, 20).numLayers(2).batchFirst(true).bidirectional(true));
 * }</pre>
 */
public final class RNNOptions {
  final int inputSize;
  final int hiddenSize;
  int numLayers = 1;
  boolean bias = true;
  boolean batchFirst;
  double dropout;
  boolean bidirectional;
  String nonlinearity = "tanh";
  int projSize;

  private RNNOptions(int inputSize, int hiddenSize) {
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
  }

  public static RNNOptions of(int inputSize, int hiddenSize) {
    return new RNNOptions(inputSize, hiddenSize);
  }

  public RNNOptions numLayers(int numLayers) {
    this.numLayers = numLayers;
    return this;
  }

  public RNNOptions bias(boolean bias) {
    this.bias = bias;
    return this;
  }

  /** Input and output as [batch, seq, feature] instead of [seq, batch, feature]. */
  public RNNOptions batchFirst(boolean batchFirst) {
    this.batchFirst = batchFirst;
    return this;
  }

  /** The probability of zeroing the outputs of each layer but the last, in training. */
  public RNNOptions dropout(double dropout) {
    this.dropout = dropout;
    return this;
  }

  public RNNOptions bidirectional(boolean bidirectional) {
    this.bidirectional = bidirectional;
    return this;
  }

  /** "tanh" or "relu" (RNN only). */
  public RNNOptions nonlinearity(String nonlinearity) {
    this.nonlinearity = nonlinearity;
    return this;
  }

  /** LSTM only: project the hidden state to this size (0: no projection). */
  public RNNOptions projSize(int projSize) {
    this.projSize = projSize;
    return this;
  }
}
