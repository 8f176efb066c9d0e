package dev.kiln.nn;

import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * One layer of a Transformer encoder (torch.nn.TransformerEncoderLayer): self-attention then a feedforward block
 * linear2(dropout(activation(linear1(x)))), each with dropout, a residual sum and layer norm: after the sum
 * (post-norm, the default) or before the block (normFirst). Submodules and state dict keys are PyTorch's
 * (self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2).
 *
 * <pre>{@code
 * var layer = new TransformerEncoderLayer(512, 8);                      // [seq, batch, 512] in and out
 * Tensor y = layer.forward(src, null, paddingMask);                      // paddingMask [batch, seq], true: ignore
 * }</pre>
 */
public class TransformerEncoderLayer extends Module {
  public final int dModel, nhead;
  private final TransformerLayerOptions options;
  public final MultiheadAttention selfAttn;
  public final Linear linear1, linear2;
  public final Dropout dropout, dropout1, dropout2;
  public final LayerNorm norm1, norm2;

  /** PyTorch's defaults: dim_feedforward 2048, dropout 0.1, relu, eps 1e-5, sequence first, post-norm. */
  public TransformerEncoderLayer(int dModel, int nhead) {
    this(dModel, nhead, new TransformerLayerOptions());
  }

  public TransformerEncoderLayer(int dModel, int nhead, TransformerLayerOptions options) {
    TransformerChecks.heads(name(), dModel, nhead);
    this.dModel = dModel;
    this.nhead = nhead;
    this.options = options.copy();
    MultiheadAttention.Options attention = new MultiheadAttention.Options().dropout(options.dropout)
        .batchFirst(options.batchFirst);
    selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, attention));
    linear1 = registerModule("linear1", new Linear(dModel, options.dimFeedforward));
    dropout = registerModule("dropout", new Dropout(options.dropout));
    linear2 = registerModule("linear2", new Linear(options.dimFeedforward, dModel));
    norm1 = registerModule("norm1", new LayerNorm(new long[] {dModel}, options.layerNormEps, true));
    norm2 = registerModule("norm2", new LayerNorm(new long[] {dModel}, options.layerNormEps, true));
    dropout1 = registerModule("dropout1", new Dropout(options.dropout));
    dropout2 = registerModule("dropout2", new Dropout(options.dropout));
  }

  /** The settings this layer was built with (a copy). */
  public TransformerLayerOptions options() {
    return options.copy();
  }

  /**
   * A new layer with this one's settings and a copy of its parameters, buffers and modes, sharing no memory:
   * PyTorch's copy.deepcopy, as TransformerEncoder takes it. A subclass with more state overrides it.
   */
  public TransformerEncoderLayer copy() {
    return LayerClones.copyState(this, new TransformerEncoderLayer(dModel, nhead, options));
  }

  /** The layer without masks (call(src) runs it with the hooks). */
  @Override
  public Tensor forward(Tensor src) {
    return encode(src, null, null);
  }

  /**
   * src [S, N, E] ([N, S, E] batch first, or unbatched [S, E]); srcMask [S, S] or [N * nhead, S, S] and
   * srcKeyPaddingMask [N, S] ([S] unbatched), bool (true: may not attend) or additive float; either may be null.
   */
  public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
    Tensor[] inputs = Arrays.stream(new Tensor[] {src, srcMask, srcKeyPaddingMask}).filter(Objects::nonNull)
        .toArray(Tensor[]::new);
    return callWithHooks(inputs, in -> encode(src, srcMask, srcKeyPaddingMask));
  }

  private Tensor encode(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
    checkOpen();
    checkInputs(name(), src, srcMask, srcKeyPaddingMask);
    Tensor x = src;
    if (options.normFirst) {
      x = x.add(selfAttentionBlock(norm1.call(x), srcMask, srcKeyPaddingMask));
      return x.add(feedforwardBlock(norm2.call(x)));
    }
    x = norm1.call(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask)));
    return norm2.call(x.add(feedforwardBlock(x)));
  }

  /** The checks of one call, made by the layer and by the stacks of it (named for the module called). */
  void checkInputs(String module, Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
    TransformerChecks.sequence(module, "src", src, dModel);
    long length = TransformerChecks.length(src, options.batchFirst);
    long batch = TransformerChecks.batch(src, options.batchFirst);
    TransformerChecks.attnMask(module, "src_mask", srcMask, length, length, batch, nhead);
    TransformerChecks.paddingMask(module, "src_key_padding_mask", srcKeyPaddingMask, batch, length);
  }

  private Tensor selfAttentionBlock(Tensor x, Tensor mask, Tensor padding) {
    return dropout1.call(selfAttn.forward(x, x, x, padding, false, mask, true).output());
  }

  private Tensor feedforwardBlock(Tensor x) {
    return dropout2.call(linear2.call(dropout.call(options.activation.apply(linear1.call(x)))));
  }
}
