package dev.kiln.nn;

import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A stack of numLayers decoder layers (torch.nn.TransformerDecoder), each attending to the same memory, then an
 * optional norm. The stack holds copies of the layer given (TransformerDecoderLayer.copy), as PyTorch's deep copies,
 * under "layers.0", "layers.1", ..., and the norm under "norm".
 *
 * <pre>{@code
 * var decoder = new TransformerDecoder(new TransformerDecoderLayer(512, 8), 6, new LayerNorm(512));
 * Tensor y = decoder.forward(tgt, memory, Transformer.generateSquareSubsequentMask(tgt.size(0)), null, null, null);
 * }</pre>
 */
public class TransformerDecoder extends Module {
  public final ModuleList layers;
  public final int numLayers;
  /** The final norm, or null. */
  public final Module norm;
  private final List<TransformerDecoderLayer> stack;

  public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers) {
    this(decoderLayer, numLayers, null);
  }

  public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers, Module norm) {
    if (decoderLayer == null) throw new IllegalArgumentException("TransformerDecoder: decoder_layer must not be null");
    if (numLayers < 1)
      throw new IllegalArgumentException("TransformerDecoder: num_layers must be positive, got " + numLayers);
    this.numLayers = numLayers;
    this.stack = List.copyOf(LayerClones.clones(decoderLayer, numLayers, TransformerDecoderLayer::copy));
    this.layers = registerModule("layers", new ModuleList(stack));
    this.norm = norm == null ? null : registerModule("norm", norm);
  }

  /** Layer i of the stack. */
  public TransformerDecoderLayer layer(int i) {
    return stack.get(i);
  }

  /** The stack without masks. */
  public Tensor forward(Tensor tgt, Tensor memory) {
    return forward(tgt, memory, null, null, null, null);
  }

  /** The masks as TransformerDecoderLayer takes them, given to every layer; each may be null. */
  public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
      Tensor memoryKeyPaddingMask) {
    Tensor[] inputs = Arrays.stream(new Tensor[] {tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask,
        memoryKeyPaddingMask}).filter(Objects::nonNull).toArray(Tensor[]::new);
    return callWithHooks(inputs,
        in -> decode(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask));
  }

  private Tensor decode(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtPadding,
      Tensor memoryPadding) {
    checkOpen();
    stack.get(0).checkInputs(name(), tgt, memory, tgtMask, memoryMask, tgtPadding, memoryPadding);
    Tensor x = tgt;
    for (TransformerDecoderLayer layer : stack)
      x = layer.forward(x, memory, tgtMask, memoryMask, tgtPadding, memoryPadding);
    return norm == null ? x : norm.call(x);
  }
}
