package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Embeddings;
import dev.kiln.nn.init.Init;

/**
 * A lookup table of numEmbeddings vectors of embeddingDim (torch.nn.Embedding): weight starts standard normal,
 * with the paddingIdx row (if any) zero; that row gets no gradient. maxNorm (if any) renormalizes the looked-up
 * rows in place on each forward, as PyTorch does.
 *
 * <pre>{@code
 * Embedding emb = new Embedding(10000, 128, 0, null, 2.0, false);   // padding index 0
 * Tensor vectors = emb.call(tokenIds);                               // [batch, length, 128]
 * }</pre>
 */
public class Embedding extends Module {
  public final int numEmbeddings;
  public final int embeddingDim;
  /** The padding row, counted from 0 (a negative index given to the constructor is normalized), or null. */
  public final Integer paddingIdx;
  public final Double maxNorm;
  public final double normType;
  public final boolean scaleGradByFreq;
  public final Tensor weight;

  public Embedding(int numEmbeddings, int embeddingDim) {
    this(numEmbeddings, embeddingDim, null, null, 2.0, false);
  }

  public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
    this(numEmbeddings, embeddingDim, paddingIdx, null, 2.0, false);
  }

  public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Double maxNorm, double normType,
      boolean scaleGradByFreq) {
    this(numEmbeddings, embeddingDim, paddingIdx, maxNorm, normType, scaleGradByFreq, null);
  }

  private Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Double maxNorm, double normType,
      boolean scaleGradByFreq, Tensor pretrained) {
    if (numEmbeddings < 0 || embeddingDim < 0)
      throw new IllegalArgumentException("Embedding: sizes must be non-negative, got " + numEmbeddings + " and "
          + embeddingDim);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = normalizePadding("Embedding", paddingIdx, numEmbeddings);
    this.maxNorm = maxNorm;
    this.normType = normType;
    this.scaleGradByFreq = scaleGradByFreq;
    Tensor w = pretrained != null ? pretrained.detach() : Tensor.zeros(numEmbeddings, embeddingDim);
    this.weight = registerParameter("weight", w);
    if (pretrained == null) resetParameters();
  }

  /**
   * An Embedding whose weight shares the memory of embeddings [numEmbeddings, dim] (no copy), frozen (no gradient)
   * unless freeze is false. The padding row is left as it is.
   */
  public static Embedding fromPretrained(Tensor embeddings, boolean freeze, Integer paddingIdx, Double maxNorm,
      double normType, boolean scaleGradByFreq) {
    if (embeddings.dim() != 2)
      throw new IllegalArgumentException("Embedding.fromPretrained: Embeddings parameter is expected to be "
          + "2-dimensional, got " + embeddings.dim() + " dims");
    Embedding e = new Embedding((int) embeddings.size(0), (int) embeddings.size(1), paddingIdx, maxNorm, normType,
        scaleGradByFreq, embeddings);
    e.weight.requiresGrad(!freeze);
    return e;
  }

  /** fromPretrained, frozen, with PyTorch's other defaults. */
  public static Embedding fromPretrained(Tensor embeddings) {
    return fromPretrained(embeddings, true, null, null, 2.0, false);
  }

  /** weight standard normal, the padding row zero. */
  public void resetParameters() {
    try (ModeScope g = Autograd.noGrad()) {
      Init.normal_(weight);
      if (paddingIdx != null) weight.select(0, paddingIdx).fill_(0.0);
    }
  }

  @Override
  public Tensor forward(Tensor input) {
    return Embeddings.embedding(input, tensor("weight"), paddingIdx, maxNorm, normType, scaleGradByFreq);
  }

  static Integer normalizePadding(String layer, Integer paddingIdx, int numEmbeddings) {
    if (paddingIdx == null) return null;
    if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)
      throw new IllegalArgumentException(layer + ": Padding_idx must be within num_embeddings (" + numEmbeddings
          + "), got " + paddingIdx);
    return paddingIdx < 0 ? numEmbeddings + paddingIdx : paddingIdx;
  }

  @Override
  protected String extraRepr() {
    StringBuilder s = new StringBuilder(numEmbeddings + ", " + embeddingDim);
    if (paddingIdx != null) s.append(", padding_idx=").append(paddingIdx);
    if (maxNorm != null) s.append(", max_norm=").append(PyRepr.num(maxNorm));
    if (normType != 2) s.append(", norm_type=").append(PyRepr.num(normType));
    if (scaleGradByFreq) s.append(", scale_grad_by_freq=True");
    return s.toString();
  }
}
