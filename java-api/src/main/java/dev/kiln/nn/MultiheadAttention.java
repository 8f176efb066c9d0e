package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Dropouts;
import dev.kiln.nn.functional.LinearFunctions;
import dev.kiln.nn.init.Init;
import java.util.Arrays;
import java.util.List;

/**
 * Multi-head attention (torch.nn.MultiheadAttention): queries, keys and values projected (one in_proj_weight
 * [3E, E] when keys and values have the query's size, else q/k/v_proj_weight), split into numHeads heads,
 * softmax(q k^T / sqrt(headDim) + mask) v per head, heads joined and projected by out_proj. Inputs are
 * [L, N, E] ([N, L, E] with batchFirst) or unbatched [L, E]; masks as PyTorch takes them: attnMask [L, S]
 * or [N * numHeads, L, S], keyPaddingMask [N, S] (or [S]), each boolean (true: may not attend) or additive float.
 *
 * <pre>{@code
 * MultiheadAttention mha = new MultiheadAttention(64, 8);
 * MultiheadAttention.Output o = mha.forward(x, x, x);   // self-attention; o.weights(): [N, L, S], averaged over heads
 * }</pre>
 */
public class MultiheadAttention extends Module {
  /** The attended output, and the attention weights (null when not asked for). */
  public record Output(Tensor output, Tensor weights) {}

  /** The settings beyond embedDim and numHeads, with PyTorch's defaults. */
  public static final class Options {
    double dropout;
    boolean bias = true, addBiasKv, addZeroAttn, batchFirst;
    Integer kdim, vdim;

    public Options dropout(double p) {
      this.dropout = p;
      return this;
    }

    public Options bias(boolean bias) {
      this.bias = bias;
      return this;
    }

    /** Learnt bias_k and bias_v appended to the keys and values along the sequence. */
    public Options addBiasKv(boolean addBiasKv) {
      this.addBiasKv = addBiasKv;
      return this;
    }

    /** A zero key and value appended to every head's sequence. */
    public Options addZeroAttn(boolean addZeroAttn) {
      this.addZeroAttn = addZeroAttn;
      return this;
    }

    public Options kdim(int kdim) {
      this.kdim = kdim;
      return this;
    }

    public Options vdim(int vdim) {
      this.vdim = vdim;
      return this;
    }

    public Options batchFirst(boolean batchFirst) {
      this.batchFirst = batchFirst;
      return this;
    }
  }

  /** out_proj's class, named as PyTorch names it so that the module prints the same. */
  static final class NonDynamicallyQuantizableLinear extends Linear {
    NonDynamicallyQuantizableLinear(int in, int out, boolean bias) {
      super(in, out, bias);
    }
  }

  public final int embedDim, numHeads, headDim, kdim, vdim;
  public final double dropout;
  public final boolean batchFirst, addZeroAttn;
  public final Tensor inProjWeight, qProjWeight, kProjWeight, vProjWeight, inProjBias, biasK, biasV;
  public final Linear outProj;

  public MultiheadAttention(int embedDim, int numHeads) {
    this(embedDim, numHeads, new Options());
  }

  public MultiheadAttention(int embedDim, int numHeads, Options o) {
    if (embedDim < 1 || numHeads < 1 || embedDim % numHeads != 0)
      throw new IllegalArgumentException("MultiheadAttention: embed_dim must be divisible by num_heads, got " + embedDim + " and " + numHeads);
    if (!(o.dropout >= 0 && o.dropout <= 1)) throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1], got " + o.dropout);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.kdim = o.kdim != null ? o.kdim : embedDim;
    this.vdim = o.vdim != null ? o.vdim : embedDim;
    this.dropout = o.dropout;
    this.batchFirst = o.batchFirst;
    this.addZeroAttn = o.addZeroAttn;
    boolean same = kdim == embedDim && vdim == embedDim;
    inProjWeight = registerParameter("in_proj_weight", same ? Tensor.empty(DType.FLOAT32, 3L * embedDim, embedDim) : null);
    qProjWeight = registerParameter("q_proj_weight", same ? null : Tensor.empty(DType.FLOAT32, embedDim, embedDim));
    kProjWeight = registerParameter("k_proj_weight", same ? null : Tensor.empty(DType.FLOAT32, embedDim, kdim));
    vProjWeight = registerParameter("v_proj_weight", same ? null : Tensor.empty(DType.FLOAT32, embedDim, vdim));
    inProjBias = registerParameter("in_proj_bias", o.bias ? Tensor.empty(DType.FLOAT32, 3L * embedDim) : null);
    outProj = registerModule("out_proj", new NonDynamicallyQuantizableLinear(embedDim, embedDim, o.bias));
    biasK = registerParameter("bias_k", o.addBiasKv ? Tensor.empty(DType.FLOAT32, 1, 1, embedDim) : null);
    biasV = registerParameter("bias_v", o.addBiasKv ? Tensor.empty(DType.FLOAT32, 1, 1, embedDim) : null);
    resetParameters();
  }

  /** PyTorch's initialisation: Xavier-uniform projections, zero biases, Xavier-normal bias_k and bias_v. */
  public void resetParameters() {
    for (Tensor w : new Tensor[] {inProjWeight, qProjWeight, kProjWeight, vProjWeight}) if (w != null) Init.xavierUniform_(w);
    if (inProjBias != null) {
      Init.zeros_(inProjBias);
      Init.zeros_(outProj.bias);
    }
    if (biasK != null) {
      Init.xavierNormal_(biasK);
      Init.xavierNormal_(biasV);
    }
  }

  /** Attention of query over key and value, without masks; the weights averaged over heads. */
  public Output forward(Tensor query, Tensor key, Tensor value) {
    return forward(query, key, value, null, true, null, true);
  }

  /** The full call: masks may be null; needWeights false gives null weights; averageAttnWeights false keeps one per head. */
  public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
      boolean averageAttnWeights) {
    Tensor[] inputs = Arrays.asList(query, key, value, keyPaddingMask, attnMask).stream().filter(t -> t != null).toArray(Tensor[]::new);
    return callWithHooks(inputs, in -> attend(query, key, value, keyPaddingMask, needWeights, attnMask, averageAttnWeights));
  }

  /** Self-attention's output: forward(x, x, x).output() (call(x) runs it with the hooks, once). */
  @Override
  public Tensor forward(Tensor x) {
    return attend(x, x, x, null, false, null, true).output();
  }

  private Output attend(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
      boolean average) {
    boolean batched = query.dim() == 3;
    if (query.dim() != 2 && query.dim() != 3 || key.dim() != query.dim() || value.dim() != query.dim())
      throw new ShapeException("MultiheadAttention: query, key and value must all be 2-D (unbatched) or 3-D, got shapes "
          + Arrays.toString(query.shape()) + ", " + Arrays.toString(key.shape()) + " and " + Arrays.toString(value.shape()));
    Tensor q = batched ? (batchFirst ? query.transpose(0, 1) : query) : query.unsqueeze(1); // [L, N, E]
    Tensor k = batched ? (batchFirst ? key.transpose(0, 1) : key) : key.unsqueeze(1);
    Tensor v = batched ? (batchFirst ? value.transpose(0, 1) : value) : value.unsqueeze(1);
    if (keyPaddingMask != null && !batched) keyPaddingMask = keyPaddingMask.unsqueeze(0);
    long tgtLen = q.size(0), batch = q.size(1);
    if (q.size(2) != embedDim || k.size(2) != kdim || v.size(2) != vdim)
      throw new ShapeException("MultiheadAttention: expected query, key and value feature sizes " + embedDim + ", " + kdim + ", " + vdim
          + ", got " + q.size(2) + ", " + k.size(2) + ", " + v.size(2));
    if (k.size(0) != v.size(0) || k.size(1) != batch || v.size(1) != batch)
      throw new ShapeException("MultiheadAttention: key " + Arrays.toString(key.shape()) + " and value " + Arrays.toString(value.shape())
          + " must match each other and the query's batch");

    // Projections, with the weights as tensor() reads them (parametrizations included).
    Tensor inW = tensor("in_proj_weight"), inB = tensor("in_proj_bias");
    Tensor bq = null, bk = null, bv = null;
    if (inB != null) {
      bq = inB.narrow(0, 0, embedDim);
      bk = inB.narrow(0, embedDim, embedDim);
      bv = inB.narrow(0, 2L * embedDim, embedDim);
    }
    Tensor wq = inW != null ? inW.narrow(0, 0, embedDim) : tensor("q_proj_weight");
    Tensor wk = inW != null ? inW.narrow(0, embedDim, embedDim) : tensor("k_proj_weight");
    Tensor wv = inW != null ? inW.narrow(0, 2L * embedDim, embedDim) : tensor("v_proj_weight");
    if (inW != null && key == value) {
      // One product for the projections that share an input, as PyTorch's _in_projection_packed: self-attention
      // [L*N, E] x [E, 3E] (one weight gradient over all tokens, one input gradient), encoder-decoder attention
      // the key and value together.
      boolean self = query == key;
      Tensor packed = LinearFunctions.linear(self ? q : k, self ? inW : inW.narrow(0, embedDim, 2L * embedDim),
          inB == null ? null : self ? inB : inB.narrow(0, embedDim, 2L * embedDim));
      List<Tensor> pieces = packed.chunk(self ? 3 : 2, -1);  // its backward concatenates the pieces' gradients
      q = self ? pieces.get(0) : LinearFunctions.linear(q, wq, bq);
      k = pieces.get(self ? 1 : 0);
      v = pieces.get(self ? 2 : 1);
    } else {
      q = LinearFunctions.linear(q, wq, bq);
      k = LinearFunctions.linear(k, wk, bk);
      v = LinearFunctions.linear(v, wv, bv);
    }

    Tensor mask = attnMask == null ? null : checkedAttnMask(attnMask, tgtLen, k.size(0), batch);
    if (biasK != null) {
      k = Tensor.cat(List.of(k, tensor("bias_k").expand(1, batch, embedDim)), 0);
      v = Tensor.cat(List.of(v, tensor("bias_v").expand(1, batch, embedDim)), 0);
      if (mask != null) mask = mask.pad(0, 1);
      if (keyPaddingMask != null) keyPaddingMask = keyPaddingMask.pad(0, 1);
    }
    // Heads: [L, N, E] -> [N * H, L, headDim].
    q = q.reshape(tgtLen, batch * numHeads, headDim).transpose(0, 1);
    k = k.reshape(k.size(0), batch * numHeads, headDim).transpose(0, 1);
    v = v.reshape(v.size(0), batch * numHeads, headDim).transpose(0, 1);
    if (addZeroAttn) {
      k = Tensor.cat(List.of(k, Tensor.zeros(k.dtype(), batch * numHeads, 1, headDim)), 1);
      v = Tensor.cat(List.of(v, Tensor.zeros(v.dtype(), batch * numHeads, 1, headDim)), 1);
      if (mask != null) mask = mask.pad(0, 1);
      if (keyPaddingMask != null) keyPaddingMask = keyPaddingMask.pad(0, 1);
    }
    long srcLen = k.size(1);
    if (keyPaddingMask != null) {
      if (keyPaddingMask.dim() != 2 || keyPaddingMask.size(0) != batch || keyPaddingMask.size(1) != srcLen)
        throw new ShapeException("MultiheadAttention: expected key_padding_mask of shape [" + batch + ", " + srcLen + "], got "
            + Arrays.toString(keyPaddingMask.shape()));
      Tensor padding = keyPaddingMask.view(batch, 1, 1, srcLen).expand(batch, numHeads, 1, srcLen).reshape(batch * numHeads, 1, srcLen);
      mask = mask == null ? padding : merge(mask, padding);
    }
    if (mask != null && mask.dtype() == DType.BOOL) mask = Tensor.zeros(q.dtype(), mask.shape()).maskedFill(mask, Double.NEGATIVE_INFINITY);

    Tensor scores = q.div(Math.sqrt(headDim)).bmm(k.transpose(1, 2));
    if (mask != null) scores = scores.add(mask);
    Tensor weights = scores.softmax(-1);
    weights = Dropouts.dropout(weights, dropout, isTraining()); // the weights themselves when not training
    Tensor heads = weights.bmm(v); // [N * H, L, headDim]
    Tensor out = outProj.call(heads.transpose(0, 1).reshape(tgtLen, batch, embedDim));
    out = batched ? (batchFirst ? out.transpose(0, 1) : out) : out.squeeze(1);
    Tensor w = null;
    if (needWeights) {
      w = weights.view(batch, numHeads, tgtLen, srcLen);
      if (average) w = w.sum(1).div(numHeads);
      if (!batched) w = w.squeeze(0);
    }
    return new Output(out, w);
  }

  private Tensor checkedAttnMask(Tensor mask, long tgtLen, long srcLen, long batch) {
    if (mask.dim() == 2 && mask.size(0) == tgtLen && mask.size(1) == srcLen) return mask.unsqueeze(0);
    if (mask.dim() == 3 && mask.size(0) == batch * numHeads && mask.size(1) == tgtLen && mask.size(2) == srcLen) return mask;
    throw new ShapeException("MultiheadAttention: attn_mask should be [" + tgtLen + ", " + srcLen + "] or [" + batch * numHeads + ", " + tgtLen
        + ", " + srcLen + "], got " + Arrays.toString(mask.shape()));
  }

  /** Combines the attention mask with the key padding mask, as PyTorch does for bool and float masks. */
  private static Tensor merge(Tensor mask, Tensor padding) {
    if (mask.dtype() == DType.BOOL && padding.dtype() == DType.BOOL) return mask.logicalOr(padding);
    if (padding.dtype() == DType.BOOL) return mask.maskedFill(padding, Double.NEGATIVE_INFINITY);
    if (mask.dtype() == DType.BOOL) mask = Tensor.zeros(padding.dtype(), mask.shape()).maskedFill(mask, Double.NEGATIVE_INFINITY);
    return mask.add(padding);
  }
}
