package dev.kiln.nn;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.IndexException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The adaptive softmax of Grave et al. (torch.nn.AdaptiveLogSoftmaxWithLoss), for many classes sorted by frequency:
 * the frequent classes {@code [0, cutoffs[0])} and one entry per cluster of rarer ones share a head layer; cluster i,
 * the classes {@code [cutoffs[i], cutoffs[i + 1])} (the last ending at nClasses), has a two-layer projection whose
 * hidden size is {@code inFeatures // divValue^(i + 1)}, and runs only on the rows whose targets fall in it. The
 * parameters are named as PyTorch names them (head.weight, tail.0.0.weight, tail.0.1.weight, ...), so state dicts
 * move between the two.
 *
 * <pre>{@code
 * var asm = new AdaptiveLogSoftmaxWithLoss(64, 10_000, new int[] {100, 1_000});
 * AdaptiveLogSoftmaxWithLoss.Output out = asm.call(hidden, targets);   // hidden [N, 64], targets int64 [N]
 * out.loss().backward();
 * Tensor best = asm.predict(hidden);                                    // argmax of logProb(hidden), cheaper
 * }</pre>
 */
public class AdaptiveLogSoftmaxWithLoss extends Module {
  /** The log-probability of each target ([N], or 0-dim for one unbatched sample) and the mean of their negatives. */
  public record Output(Tensor output, Tensor loss) {}

  private final int nClasses, shortlistSize;
  /** The cutoffs given, then nClasses. */
  private final int[] cutoffs;
  private final Linear head;
  private final ModuleList tail;

  /** divValue 4, no head bias (PyTorch's defaults). */
  public AdaptiveLogSoftmaxWithLoss(int inFeatures, int nClasses, int[] cutoffs) {
    this(inFeatures, nClasses, cutoffs, 4.0, false);
  }

  public AdaptiveLogSoftmaxWithLoss(int inFeatures, int nClasses, int[] cutoffs, double divValue, boolean headBias) {
    boolean valid = cutoffs.length > 0;
    for (int i = 0; i < cutoffs.length && valid; i++)
      valid = cutoffs[i] > 0 && cutoffs[i] <= nClasses - 1 && (i == 0 || cutoffs[i] > cutoffs[i - 1]);
    if (!valid)
      throw new IllegalArgumentException("cutoffs should be a sequence of unique, positive integers sorted in an "
          + "increasing order, where each value is between 1 and n_classes-1 (got " + Arrays.toString(cutoffs)
          + " for " + nClasses + " classes)");
    this.nClasses = nClasses;
    this.cutoffs = Arrays.copyOf(cutoffs, cutoffs.length + 1);
    this.cutoffs[cutoffs.length] = nClasses;
    this.shortlistSize = cutoffs[0];
    this.head = registerModule("head", new Linear(inFeatures, shortlistSize + cutoffs.length, headBias));
    this.tail = registerModule("tail", new ModuleList());
    for (int i = 0; i < cutoffs.length; i++) {
      int hidden = (int) Math.floor(inFeatures / Math.pow(divValue, i + 1)); // Python's in_features // div ** (i + 1)
      tail.add(new Sequential(new Linear(inFeatures, hidden, false),
          new Linear(hidden, this.cutoffs[i + 1] - this.cutoffs[i], false)));
    }
  }

  /** Runs forward with the module's hooks (PyTorch's asm(input, target)). */
  public final Output call(Tensor input, Tensor target) {
    return callWithHooks(new Tensor[] {input, target}, in -> forward(in[0], in[1]));
  }

  /**
   * The log-probability of each target class under the adaptive softmax, for input [N, inFeatures] and int64 targets
   * [N] (or [inFeatures] and a 0-dim target), and the loss: the mean of their negatives.
   */
  public Output forward(Tensor input, Tensor target) {
    checkShapes(input, target);
    boolean batched = target.dim() > 0;
    Tensor x = batched ? input : input.unsqueeze(0), t = batched ? target : target.unsqueeze(0);
    long batch = t.shape()[0], used = 0;
    Tensor output = Tensor.zeros(x.dtype(), batch);
    Tensor headIndex = t.clone(); // the shortlist's targets; a cluster's rows read the cluster's head entry instead
    for (int i = 0; i < cutoffs.length; i++) {
      int low = i == 0 ? 0 : cutoffs[i - 1], high = cutoffs[i];
      Tensor rows = t.ge(low).logicalAnd(t.lt(high)).nonzero().squeeze(1);
      used += rows.numel();
      if (i == 0 || rows.numel() == 0) continue;
      Tensor relative = t.indexSelect(0, rows).sub(low).unsqueeze(1);
      Tensor clusterLogProb = tail.get(i - 1).call(x.indexSelect(0, rows)).logSoftmax(1);
      output = output.indexPut(new Tensor[] {rows}, clusterLogProb.gather(1, relative).squeeze(1));
      headIndex.indexPut_(new Tensor[] {rows}, Tensor.scalar(shortlistSize + i - 1, DType.INT64));
    }
    if (used != batch)
      throw new IndexException("AdaptiveLogSoftmaxWithLoss: Target values should be in [0, " + (nClasses - 1)
          + "], but values in range [" + t.min().itemLong() + ", " + t.max().itemLong() + "] were found.");
    Tensor headLogProb = head.call(x).logSoftmax(1);
    output = output.add(headLogProb.gather(1, headIndex.unsqueeze(1)).squeeze(1));
    Tensor loss = output.neg().mean();
    return new Output(batched ? output : output.squeeze(0), loss);
  }

  /** The log-probabilities of all nClasses classes, [N, nClasses], for input [N, inFeatures]. */
  public Tensor logProb(Tensor input) {
    return fullLogProb(input, head.call(input));
  }

  /** The most probable class of each row, [N]: logProb(input).argmax(1), running the clusters only where needed. */
  public Tensor predict(Tensor input) {
    Tensor headOutput = head.call(input);
    Tensor best = headOutput.argmax(1);
    Tensor outside = best.ge(shortlistSize); // a cluster's entry won: its classes decide
    if (!outside.any().itemBoolean()) return best;
    if (outside.all().itemBoolean()) return fullLogProb(input, headOutput).argmax(1);
    Tensor rows = outside.nonzero().squeeze(1);
    Tensor inner = fullLogProb(input.indexSelect(0, rows), headOutput.indexSelect(0, rows)).argmax(1);
    return best.indexPut(new Tensor[] {rows}, inner);
  }

  private Tensor fullLogProb(Tensor input, Tensor headOutput) {
    Tensor headLogProb = headOutput.logSoftmax(1);
    List<Tensor> parts = new ArrayList<>();
    parts.add(headLogProb.narrow(1, 0, shortlistSize));
    for (int i = 0; i + 1 < cutoffs.length; i++)
      parts.add(tail.get(i).call(input).logSoftmax(1).add(headLogProb.narrow(1, shortlistSize + i, 1)));
    return Tensor.cat(parts, 1);
  }

  private static void checkShapes(Tensor input, Tensor target) {
    if (target.dtype() != DType.INT64)
      throw new ArgumentException("AdaptiveLogSoftmaxWithLoss: expected int64 targets, got " + target.dtype());
    String got = Arrays.toString(input.shape());
    if (target.dim() == 1) {
      if (input.dim() != 2)
        throw new ShapeException("AdaptiveLogSoftmaxWithLoss: 1D target tensor expects 2D input tensors, but found "
            + "inputs with size " + got);
      if (input.shape()[0] != target.shape()[0])
        throw new ShapeException("AdaptiveLogSoftmaxWithLoss: Input and target should have the same size in the "
            + "batch dimension (input " + got + ", target " + Arrays.toString(target.shape()) + ")");
    } else if (target.dim() == 0) {
      if (input.dim() != 1)
        throw new ShapeException("AdaptiveLogSoftmaxWithLoss: 0D target tensor expects 1D input tensors, but found "
            + "inputs with size " + got);
    } else {
      throw new ShapeException("AdaptiveLogSoftmaxWithLoss: 0D or 1D target tensor expected, multi-target not "
          + "supported (got " + Arrays.toString(target.shape()) + ")");
    }
  }
}
