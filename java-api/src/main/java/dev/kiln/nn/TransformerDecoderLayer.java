package dev.kiln.nn;

import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * One layer of a Transformer decoder (torch.nn.TransformerDecoderLayer): self-attention over the target, attention
 * over the encoder's output (memory), then a feedforward block, each with dropout, a residual sum and layer norm
 * (after the sum, or before the block with normFirst). Submodules and state dict keys are PyTorch's (self_attn,
 * multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3, dropout1, dropout2, dropout3).
 *
 * <pre>{@code
 * var layer = new TransformerDecoderLayer(512, 8);
 * Tensor y = layer.forward(tgt, memory, Transformer.generateSquareSubsequentMask(tgt.size(0)), null, null, null);
 * }</pre>
 */
public class TransformerDecoderLayer extends Module {
  public final int dModel, nhead;
  private final TransformerLayerOptions options;
  public final MultiheadAttention selfAttn, multiheadAttn;
  public final Linear linear1, linear2;
  public final Dropout dropout, dropout1, dropout2, dropout3;
  public final LayerNorm norm1, norm2, norm3;

  /** PyTorch's defaults: dim_feedforward 2048, dropout 0.1, relu, eps 1e-5, sequence first, post-norm. */
  public TransformerDecoderLayer(int dModel, int nhead) {
    this(dModel, nhead, new TransformerLayerOptions());
  }

  public TransformerDecoderLayer(int dModel, int nhead, TransformerLayerOptions options) {
    TransformerChecks.heads(name(), dModel, nhead);
    this.dModel = dModel;
    this.nhead = nhead;
    this.options = options.copy();
    MultiheadAttention.Options attention = new MultiheadAttention.Options().dropout(options.dropout)
        .batchFirst(options.batchFirst);
    selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, attention));
    multiheadAttn = registerModule("multihead_attn", new MultiheadAttention(dModel, nhead, attention));
    linear1 = registerModule("linear1", new Linear(dModel, options.dimFeedforward));
    dropout = registerModule("dropout", new Dropout(options.dropout));
    linear2 = registerModule("linear2", new Linear(options.dimFeedforward, dModel));
    norm1 = registerModule("norm1", new LayerNorm(new long[] {dModel}, options.layerNormEps, true));
    norm2 = registerModule("norm2", new LayerNorm(new long[] {dModel}, options.layerNormEps, true));
    norm3 = registerModule("norm3", new LayerNorm(new long[] {dModel}, options.layerNormEps, true));
    dropout1 = registerModule("dropout1", new Dropout(options.dropout));
    dropout2 = registerModule("dropout2", new Dropout(options.dropout));
    dropout3 = registerModule("dropout3", new Dropout(options.dropout));
  }

  /** The settings this layer was built with (a copy). */
  public TransformerLayerOptions options() {
    return options.copy();
  }

  /** A new layer with this one's settings and a copy of its state (PyTorch's copy.deepcopy); see the encoder's. */
  public TransformerDecoderLayer copy() {
    return LayerClones.copyState(this, new TransformerDecoderLayer(dModel, nhead, options));
  }

  /** The layer without masks. */
  public Tensor forward(Tensor tgt, Tensor memory) {
    return forward(tgt, memory, null, null, null, null);
  }

  /**
   * tgt [T, N, E] and memory [S, N, E] ([N, T, E] and [N, S, E] batch first; [T, E] and [S, E] unbatched);
   * tgtMask [T, T] or [N * nhead, T, T], memoryMask [T, S] or [N * nhead, T, S], tgtKeyPaddingMask [N, T],
   * memoryKeyPaddingMask [N, S]: bool (true: may not attend) or additive float; each may be null.
   */
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
    checkInputs(name(), tgt, memory, tgtMask, memoryMask, tgtPadding, memoryPadding);
    Tensor x = tgt;
    if (options.normFirst) {
      x = x.add(selfAttentionBlock(norm1.call(x), tgtMask, tgtPadding));
      x = x.add(memoryAttentionBlock(norm2.call(x), memory, memoryMask, memoryPadding));
      return x.add(feedforwardBlock(norm3.call(x)));
    }
    x = norm1.call(x.add(selfAttentionBlock(x, tgtMask, tgtPadding)));
    x = norm2.call(x.add(memoryAttentionBlock(x, memory, memoryMask, memoryPadding)));
    return norm3.call(x.add(feedforwardBlock(x)));
  }

  /** The checks of one call, made by the layer and by the stacks of it (named for the module called). */
  void checkInputs(String module, Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtPadding,
      Tensor memoryPadding) {
    boolean batchFirst = options.batchFirst;
    TransformerChecks.sequence(module, "tgt", tgt, dModel);
    TransformerChecks.memory(module, tgt, memory, dModel, batchFirst);
    long tgtLen = TransformerChecks.length(tgt, batchFirst), srcLen = TransformerChecks.length(memory, batchFirst);
    long batch = TransformerChecks.batch(tgt, batchFirst);
    TransformerChecks.attnMask(module, "tgt_mask", tgtMask, tgtLen, tgtLen, batch, nhead);
    TransformerChecks.attnMask(module, "memory_mask", memoryMask, tgtLen, srcLen, batch, nhead);
    TransformerChecks.paddingMask(module, "tgt_key_padding_mask", tgtPadding, batch, tgtLen);
    TransformerChecks.paddingMask(module, "memory_key_padding_mask", memoryPadding, batch, srcLen);
  }

  private Tensor selfAttentionBlock(Tensor x, Tensor mask, Tensor padding) {
    return dropout1.call(selfAttn.forward(x, x, x, padding, false, mask, true).output());
  }

  private Tensor memoryAttentionBlock(Tensor x, Tensor memory, Tensor mask, Tensor padding) {
    return dropout2.call(multiheadAttn.forward(x, memory, memory, padding, false, mask, true).output());
  }

  private Tensor feedforwardBlock(Tensor x) {
    return dropout3.call(linear2.call(dropout.call(options.activation.apply(linear1.call(x)))));
  }
}
