package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.nn.init.Init;
import java.util.Arrays;
import java.util.Objects;

/**
 * The encoder-decoder Transformer of "Attention Is All You Need" (torch.nn.Transformer): a TransformerEncoder of
 * numEncoderLayers layers and a final LayerNorm reads src into a memory, a TransformerDecoder of numDecoderLayers
 * layers and a final LayerNorm reads tgt while attending to it. Every parameter of more than one dim (both halves,
 * custom ones included) starts Xavier-uniform, as PyTorch's _reset_parameters leaves it.
 *
 * <pre>{@code
 * var model = new Transformer(64, 4, 2, 2, new TransformerLayerOptions().dimFeedforward(128).batchFirst(true));
 * Tensor y = model.forward(src, tgt, null, Transformer.generateSquareSubsequentMask(tgt.size(1)), null,
 *     srcPadding, tgtPadding, srcPadding);
 * }</pre>
 */
public class Transformer extends Module {
  public final int dModel, nhead;
  public final boolean batchFirst;
  public final TransformerEncoder encoder;
  public final TransformerDecoder decoder;

  /** PyTorch's defaults: d_model 512, 8 heads, 6 encoder and 6 decoder layers, the layer defaults. */
  public Transformer() {
    this(512, 8, 6, 6, new TransformerLayerOptions());
  }

  public Transformer(int dModel, int nhead, int numEncoderLayers, int numDecoderLayers,
      TransformerLayerOptions options) {
    this(dModel, nhead, numEncoderLayers, numDecoderLayers, options, null, null);
  }

  /**
   * The full form: a non-null customEncoder or customDecoder takes the place of the one these settings would
   * build (its parameters are reinitialised all the same, as PyTorch does).
   */
  public Transformer(int dModel, int nhead, int numEncoderLayers, int numDecoderLayers, TransformerLayerOptions options,
      TransformerEncoder customEncoder, TransformerDecoder customDecoder) {
    TransformerChecks.heads(name(), dModel, nhead);
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = options.batchFirst;
    long[] features = {dModel};
    encoder = registerModule("encoder", customEncoder != null ? customEncoder : new TransformerEncoder(
        new TransformerEncoderLayer(dModel, nhead, options), numEncoderLayers,
        new LayerNorm(features, options.layerNormEps, true)));
    decoder = registerModule("decoder", customDecoder != null ? customDecoder : new TransformerDecoder(
        new TransformerDecoderLayer(dModel, nhead, options), numDecoderLayers,
        new LayerNorm(features, options.layerNormEps, true)));
    resetParameters();
  }

  /** Xavier-uniform on every parameter of more than one dim; the others keep their values (PyTorch's). */
  public void resetParameters() {
    for (Tensor p : parameters()) if (p.dim() > 1) Init.xavierUniform_(p);
  }

  /** The model without masks. */
  public Tensor forward(Tensor src, Tensor tgt) {
    return forward(src, tgt, null, null, null, null, null, null);
  }

  /**
   * src [S, N, E] and tgt [T, N, E] ([N, S, E] and [N, T, E] batch first; [S, E] and [T, E] unbatched) to the
   * decoder's output [T, N, E]. Masks as the layers take them (bool: true may not attend; float: added), each may
   * be null: srcMask [S, S], tgtMask [T, T], memoryMask [T, S] (or per head [N * nhead, ., .]), and the key
   * padding masks [N, S], [N, T], [N, S].
   */
  public Tensor forward(Tensor src, Tensor tgt, Tensor srcMask, Tensor tgtMask, Tensor memoryMask,
      Tensor srcKeyPaddingMask, Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
    Tensor[] inputs = Arrays.stream(new Tensor[] {src, tgt, srcMask, tgtMask, memoryMask, srcKeyPaddingMask,
        tgtKeyPaddingMask, memoryKeyPaddingMask}).filter(Objects::nonNull).toArray(Tensor[]::new);
    return callWithHooks(inputs, in -> {
      checkOpen();
      TransformerChecks.sequence(name(), "src", src, dModel);
      TransformerChecks.sequence(name(), "tgt", tgt, dModel);
      if (src.dim() == 3 && TransformerChecks.batch(src, batchFirst) != TransformerChecks.batch(tgt, batchFirst))
        throw new ShapeException(name() + ": the batch number of src and tgt must be equal, got shapes "
            + TransformerChecks.shape(src) + " and " + TransformerChecks.shape(tgt)
            + (batchFirst ? " (batch first)" : ""));
      Tensor memory = encoder.forward(src, srcMask, srcKeyPaddingMask);
      return decoder.forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask);
    });
  }

  /** A float32 causal mask [n, n]: 0 on and below the diagonal, -inf above (position i sees positions <= i). */
  public static Tensor generateSquareSubsequentMask(long n) {
    return generateSquareSubsequentMask(n, DType.FLOAT32);
  }

  public static Tensor generateSquareSubsequentMask(long n, DType dtype) {
    if (n < 0) throw new IllegalArgumentException("generateSquareSubsequentMask: size must be non-negative, got " + n);
    if (!dtype.isFloatingPoint())
      throw new IllegalArgumentException("generateSquareSubsequentMask: the mask must be floating point, got " + dtype);
    try (Tensor full = Tensor.full(Double.NEGATIVE_INFINITY, dtype, n, n)) {
      return full.triu(1);
    }
  }
}
