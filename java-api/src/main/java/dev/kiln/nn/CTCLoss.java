package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The connectionist temporal classification loss (torch.nn.CTCLoss), for unsegmented sequences such as speech or
 * handwriting: -log of the summed probability of every alignment of each target to its input's frames. Called with
 * four tensors: log_probs [T, N, C] (from logSoftmax along dim 2), targets ([N, S] padded or 1-D concatenated
 * labels, never the blank), input_lengths [N] and target_lengths [N]. See {@link Losses#ctcLoss(Tensor, Tensor,
 * Tensor, Tensor, int, Reduction, boolean)}.
 *
 * <pre>{@code
 * CTCLoss ctc = new CTCLoss();
 * Tensor loss = ctc.call(logits.logSoftmax(2), targets, new long[] {50, 48}, new long[] {12, 9});
 * loss.backward();
 * }</pre>
 */
public class CTCLoss extends Loss {
  public final int blank;
  public final boolean zeroInfinity;

  public CTCLoss() {
    this(0, Reduction.MEAN, false);
  }

  public CTCLoss(int blank, Reduction reduction, boolean zeroInfinity) {
    super(reduction);
    this.blank = blank;
    this.zeroInfinity = zeroInfinity;
  }

  /** Runs forward with the module's hooks (PyTorch's ctc_loss(log_probs, targets, input_lengths, target_lengths)). */
  public final Tensor call(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) {
    return callWithHooks(new Tensor[] {logProbs, targets, inputLengths, targetLengths},
        in -> forward(in[0], in[1], in[2], in[3]));
  }

  /** call with the lengths as arrays, as PyTorch takes them as lists. */
  public final Tensor call(Tensor logProbs, Tensor targets, long[] inputLengths, long[] targetLengths) {
    try (Tensor in = Tensor.of(inputLengths, inputLengths.length);
         Tensor out = Tensor.of(targetLengths, targetLengths.length)) {
      return call(logProbs, targets, in, out);
    }
  }

  public Tensor forward(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) {
    return Losses.ctcLoss(logProbs, targets, inputLengths, targetLengths, blank, reduction, zeroInfinity);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    throw new UnsupportedOperationException(
        name() + " takes four tensors: call(logProbs, targets, inputLengths, targetLengths)");
  }
}
