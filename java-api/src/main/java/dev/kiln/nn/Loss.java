package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Reduction;

/**
 * The base of the loss modules (torch.nn's _Loss): a module called with (input, target), or with three tensors for
 * the losses that take them (MarginRankingLoss, CosineEmbeddingLoss, TripletMarginLoss, GaussianNLLLoss). Calls go
 * through the forward hooks like any module's. A loss of one's own overrides the forward it takes:
 *
 * <pre>{@code
 * class CubeLoss extends Loss {
 *   public Tensor forward(Tensor input, Tensor target) { return input.sub(target).abs().pow(3).mean(); }
 * }
 * Tensor loss = new CubeLoss().call(prediction, target);
 * loss.backward();
 * }</pre>
 */
public abstract class Loss extends Module {
  /** How the per-element losses are reduced (PyTorch's reduction attribute). */
  public final Reduction reduction;

  /** A loss that takes the mean. */
  protected Loss() {
    this(Reduction.MEAN);
  }

  protected Loss(Reduction reduction) {
    if (reduction == null) throw new IllegalArgumentException(name() + ": reduction must not be null");
    this.reduction = reduction;
  }

  /** Runs forward(input, target) with the module's hooks (PyTorch's loss(input, target)). */
  public final Tensor call(Tensor input, Tensor target) {
    return callWithHooks(new Tensor[] {input, target}, in -> forward(in[0], in[1]));
  }

  /** Runs forward(a, b, c) with the module's hooks, for the losses of three tensors. */
  public final Tensor call(Tensor a, Tensor b, Tensor c) {
    return callWithHooks(new Tensor[] {a, b, c}, in -> forward(in[0], in[1], in[2]));
  }

  /** The loss of input against target; a loss of three tensors leaves it unsupported. */
  public Tensor forward(Tensor input, Tensor target) {
    throw new UnsupportedOperationException(name() + " takes three tensors: call(a, b, c)");
  }

  /** The loss of three tensors; a loss of two leaves it unsupported. */
  public Tensor forward(Tensor a, Tensor b, Tensor c) {
    throw new UnsupportedOperationException(name() + " takes two tensors: call(input, target)");
  }
}
