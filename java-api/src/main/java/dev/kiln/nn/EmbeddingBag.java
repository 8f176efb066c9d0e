package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Embeddings;
import dev.kiln.nn.init.Init;

/**
 * Bags of embeddings reduced by "sum", "mean" (the default) or "max" without materializing the looked-up rows
 * (torch.nn.EmbeddingBag): weight starts standard normal, the paddingIdx row (if any) zero and left out of every
 * bag.
 *
 * <pre>{@code
 * EmbeddingBag bag = new EmbeddingBag(10000, 64);
 * Tensor pooled = bag.call(tokens, offsets);   // tokens 1-D, offsets the start of each bag
 * }</pre>
 */
public class EmbeddingBag extends Module {
  public final int numEmbeddings;
  public final int embeddingDim;
  public final Double maxNorm;
  public final double normType;
  public final boolean scaleGradByFreq;
  public final String mode;
  public final boolean includeLastOffset;
  public final Integer paddingIdx;
  public final Tensor weight;

  public EmbeddingBag(int numEmbeddings, int embeddingDim) {
    this(numEmbeddings, embeddingDim, null, 2.0, false, "mean", false, null);
  }

  public EmbeddingBag(int numEmbeddings, int embeddingDim, String mode) {
    this(numEmbeddings, embeddingDim, null, 2.0, false, mode, false, null);
  }

  public EmbeddingBag(int numEmbeddings, int embeddingDim, Double maxNorm, double normType, boolean scaleGradByFreq,
      String mode, boolean includeLastOffset, Integer paddingIdx) {
    this(numEmbeddings, embeddingDim, maxNorm, normType, scaleGradByFreq, mode, includeLastOffset, paddingIdx, null);
  }

  private EmbeddingBag(int numEmbeddings, int embeddingDim, Double maxNorm, double normType, boolean scaleGradByFreq,
      String mode, boolean includeLastOffset, Integer paddingIdx, Tensor pretrained) {
    if (!mode.equals("sum") && !mode.equals("mean") && !mode.equals("max"))
      throw new IllegalArgumentException("EmbeddingBag: mode has to be one of sum, mean or max, got '" + mode + "'");
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.maxNorm = maxNorm;
    this.normType = normType;
    this.scaleGradByFreq = scaleGradByFreq;
    this.mode = mode;
    this.includeLastOffset = includeLastOffset;
    this.paddingIdx = Embedding.normalizePadding("EmbeddingBag", paddingIdx, numEmbeddings);
    Tensor w = pretrained != null ? pretrained.detach() : Tensor.zeros(numEmbeddings, embeddingDim);
    this.weight = registerParameter("weight", w);
    if (pretrained == null) resetParameters();
  }

  /** An EmbeddingBag whose weight shares the memory of embeddings [numEmbeddings, dim], frozen unless freeze is false. */
  public static EmbeddingBag fromPretrained(Tensor embeddings, boolean freeze, Double maxNorm, double normType,
      boolean scaleGradByFreq, String mode, boolean includeLastOffset, Integer paddingIdx) {
    if (embeddings.dim() != 2)
      throw new IllegalArgumentException("EmbeddingBag.fromPretrained: Embeddings parameter is expected to be "
          + "2-dimensional, got " + embeddings.dim() + " dims");
    EmbeddingBag e = new EmbeddingBag((int) embeddings.size(0), (int) embeddings.size(1), maxNorm, normType,
        scaleGradByFreq, mode, includeLastOffset, paddingIdx, embeddings);
    e.weight.requiresGrad(!freeze);
    return e;
  }

  /** fromPretrained, frozen, mode "mean". */
  public static EmbeddingBag fromPretrained(Tensor embeddings) {
    return fromPretrained(embeddings, true, null, 2.0, false, "mean", false, null);
  }

  /** weight standard normal, the padding row zero. */
  public void resetParameters() {
    try (ModeScope g = Autograd.noGrad()) {
      Init.normal_(weight);
      if (paddingIdx != null) weight.select(0, paddingIdx).fill_(0.0);
    }
  }

  /** A 2-D input [B, L]: B bags of L indices. */
  @Override
  public Tensor forward(Tensor input) {
    return forward(input, null, null);
  }

  /** A 1-D input cut into bags starting at offsets (2-D input: offsets null); perSampleWeights for mode "sum". */
  public Tensor forward(Tensor input, Tensor offsets, Tensor perSampleWeights) {
    return Embeddings.embeddingBag(input, tensor("weight"), offsets, maxNorm, normType, scaleGradByFreq, mode, perSampleWeights,
        includeLastOffset, paddingIdx);
  }

  /** forward(input, offsets, null) with the forward hooks. */
  public Tensor call(Tensor input, Tensor offsets) {
    return callWithHooks(new Tensor[] {input, offsets}, in -> forward(in[0], in[1], null));
  }

  /** forward(input, offsets, perSampleWeights) with the forward hooks. */
  public Tensor call(Tensor input, Tensor offsets, Tensor perSampleWeights) {
    return callWithHooks(new Tensor[] {input, offsets, perSampleWeights}, in -> forward(in[0], in[1], in[2]));
  }

  @Override
  protected String extraRepr() {
    StringBuilder s = new StringBuilder(numEmbeddings + ", " + embeddingDim);
    if (maxNorm != null) s.append(", max_norm=").append(PyRepr.num(maxNorm));
    if (normType != 2) s.append(", norm_type=").append(PyRepr.num(normType));
    if (scaleGradByFreq) s.append(", scale_grad_by_freq=True");
    s.append(", mode=").append(mode);
    if (paddingIdx != null) s.append(", padding_idx=").append(paddingIdx);
    return s.toString();
  }
}
