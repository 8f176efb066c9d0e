package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;
import java.util.function.UnaryOperator;

/**
 * The settings that torch.nn's Transformer layers share beyond d_model and nhead, with PyTorch's defaults:
 * dim_feedforward 2048, dropout 0.1, activation relu, layer_norm_eps 1e-5, batch_first false, norm_first false.
 *
 * <pre>{@code
 * var o = new TransformerLayerOptions().dimFeedforward(64).dropout(0).activation("gelu").batchFirst(true);
 * TransformerEncoderLayer layer = new TransformerEncoderLayer(32, 4, o);
 * }</pre>
 */
public final class TransformerLayerOptions {
  int dimFeedforward = 2048;
  double dropout = 0.1;
  UnaryOperator<Tensor> activation = Tensor::relu;
  String activationName = "relu";
  double layerNormEps = 1e-5;
  boolean batchFirst, normFirst;

  public TransformerLayerOptions dimFeedforward(int dimFeedforward) {
    if (dimFeedforward < 1)
      throw new IllegalArgumentException("Transformer: dim_feedforward must be positive, got " + dimFeedforward);
    this.dimFeedforward = dimFeedforward;
    return this;
  }

  /** The probability of the layers' dropouts, attention weights included. */
  public TransformerLayerOptions dropout(double dropout) {
    if (!(dropout >= 0 && dropout <= 1))
      throw new IllegalArgumentException("Transformer: dropout probability has to be between 0 and 1, but got "
          + dropout);
    this.dropout = dropout;
    return this;
  }

  /** "relu" or "gelu" (the exact erf form), PyTorch's string choices. */
  public TransformerLayerOptions activation(String name) {
    this.activation = switch (name) {
      case "relu" -> Tensor::relu;
      case "gelu" -> Activations::gelu;
      default -> throw new IllegalArgumentException("Transformer: activation should be relu/gelu, not " + name);
    };
    this.activationName = name;
    return this;
  }

  /** Any elementwise function of the feedforward block's hidden layer. */
  public TransformerLayerOptions activation(UnaryOperator<Tensor> activation) {
    if (activation == null) throw new IllegalArgumentException("Transformer: activation must not be null");
    this.activation = activation;
    this.activationName = null;
    return this;
  }

  public TransformerLayerOptions layerNormEps(double layerNormEps) {
    this.layerNormEps = layerNormEps;
    return this;
  }

  /** Inputs and outputs [batch, seq, feature] instead of [seq, batch, feature]. */
  public TransformerLayerOptions batchFirst(boolean batchFirst) {
    this.batchFirst = batchFirst;
    return this;
  }

  /** Layer norm before each block (pre-norm) instead of after its residual sum. */
  public TransformerLayerOptions normFirst(boolean normFirst) {
    this.normFirst = normFirst;
    return this;
  }

  TransformerLayerOptions copy() {
    TransformerLayerOptions o = new TransformerLayerOptions();
    o.dimFeedforward = dimFeedforward;
    o.dropout = dropout;
    o.activation = activation;
    o.activationName = activationName;
    o.layerNormEps = layerNormEps;
    o.batchFirst = batchFirst;
    o.normFirst = normFirst;
    return o;
  }
}
