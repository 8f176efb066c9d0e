package dev.kiln.nn;

import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A stack of numLayers encoder layers (torch.nn.TransformerEncoder), then an optional norm. As PyTorch does, the
 * stack holds copies of the layer given (TransformerEncoderLayer.copy: all start with its weights, none is it),
 * under "layers.0", "layers.1", ..., and the norm under "norm".
 *
 * <pre>{@code
 * var encoder = new TransformerEncoder(new TransformerEncoderLayer(512, 8), 6, new LayerNorm(512));
 * Tensor memory = encoder.forward(src, null, srcKeyPaddingMask);
 * }</pre>
 *
 * <p>PyTorch 1.13's nested-tensor fast path (enable_nested_tensor, mask_check) has no counterpart: the padded
 * positions of the output are computed like the others, as PyTorch's ordinary path computes them.
 */
public class TransformerEncoder extends Module {
  public final ModuleList layers;
  public final int numLayers;
  /** The final norm, or null. */
  public final Module norm;
  private final List<TransformerEncoderLayer> stack;

  public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers) {
    this(encoderLayer, numLayers, null);
  }

  public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, Module norm) {
    if (encoderLayer == null) throw new IllegalArgumentException("TransformerEncoder: encoder_layer must not be null");
    if (numLayers < 1)
      throw new IllegalArgumentException("TransformerEncoder: num_layers must be positive, got " + numLayers);
    this.numLayers = numLayers;
    this.stack = List.copyOf(LayerClones.clones(encoderLayer, numLayers, TransformerEncoderLayer::copy));
    this.layers = registerModule("layers", new ModuleList(stack));
    this.norm = norm == null ? null : registerModule("norm", norm);
  }

  /** Layer i of the stack. */
  public TransformerEncoderLayer layer(int i) {
    return stack.get(i);
  }

  @Override
  public Tensor forward(Tensor src) {
    return encode(src, null, null);
  }

  /** src, mask (the src_mask of every layer) and srcKeyPaddingMask as TransformerEncoderLayer takes them. */
  public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
    Tensor[] inputs = Arrays.stream(new Tensor[] {src, mask, srcKeyPaddingMask}).filter(Objects::nonNull)
        .toArray(Tensor[]::new);
    return callWithHooks(inputs, in -> encode(src, mask, srcKeyPaddingMask));
  }

  private Tensor encode(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
    checkOpen();
    stack.get(0).checkInputs(name(), src, mask, srcKeyPaddingMask);
    Tensor x = src;
    for (TransformerEncoderLayer layer : stack) x = layer.forward(x, mask, srcKeyPaddingMask);
    return norm == null ? x : norm.call(x);
  }
}
