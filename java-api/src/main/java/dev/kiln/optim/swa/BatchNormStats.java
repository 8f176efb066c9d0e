package dev.kiln.optim.swa;

import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.BatchNorm;
import dev.kiln.nn.LazyBatchNorm1d;
import dev.kiln.nn.LazyBatchNorm2d;
import dev.kiln.nn.LazyBatchNorm3d;
import dev.kiln.nn.LazyModule;
import dev.kiln.nn.Module;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recomputes the BatchNorm running statistics of a model from data (torch.optim.swa_utils.update_bn): the
 * averaged weights of an AveragedModel need statistics of their own.
 */
public final class BatchNormStats {
  private BatchNormStats() {}

  /**
   * One pass over loader in training mode without gradients, every BatchNorm's running mean and variance reset and
   * averaged over all the batches (momentum null, a cumulative average); then each momentum, and the model's
   * train/eval mode, are restored (model.train(wasTraining), as PyTorch). A batch is a tensor, or a Tensor[] or List
   * whose first element is the input. Nothing happens for a model without BatchNorm.
   *
   * <pre>{@code
   * BatchNormStats.updateBn(loader, swaModel);
   * }</pre>
   */
  public static void updateBn(Iterable<?> loader, Module model) {
    Map<BatchNorm, Double> momenta = new IdentityHashMap<>();
    for (Module m : model.modules()) {
      BatchNorm bn = batchNorm(m);
      if (bn == null) continue;
      if (!bn.trackRunningStats)
        throw new IllegalArgumentException("update_bn: " + bn.getClass().getSimpleName() + " has no running statistics "
            + "(track_running_stats=False), PyTorch fails on it too");
      try (ModeScope g = Autograd.noGrad()) {
        bn.runningMean.fill_(0.0);
        bn.runningVar.fill_(1.0);
      }
      momenta.put(bn, bn.momentum);
    }
    if (momenta.isEmpty()) return;

    boolean wasTraining = model.isTraining();
    model.train();
    try (ModeScope g = Autograd.noGrad()) {
      for (BatchNorm bn : momenta.keySet()) {
        bn.momentum = null;
        bn.numBatchesTracked.fill_(0L);
      }
      for (Object batch : loader) {
        try (TensorScope scope = TensorScope.open()) {
          model.call(input(batch));
        }
      }
    } finally {
      for (Map.Entry<BatchNorm, Double> e : momenta.entrySet()) e.getKey().momentum = e.getValue();
      model.train(wasTraining);
    }
  }

  // A BatchNorm, or the BatchNorm a lazy module became (PyTorch's lazy modules turn into their class).
  private static BatchNorm batchNorm(Module m) {
    if (m instanceof BatchNorm bn) return bn;
    if (m instanceof LazyModule<?> lazy) {
      if (!lazy.hasUninitializedParams()) return lazy.materialized() instanceof BatchNorm bn ? bn : null;
      if (m instanceof LazyBatchNorm1d || m instanceof LazyBatchNorm2d || m instanceof LazyBatchNorm3d)
        throw new IllegalArgumentException("update_bn: " + m.getClass().getSimpleName() + " has not been called yet: "
            + "its running statistics do not exist");
    }
    return null;
  }

  private static Tensor input(Object batch) {
    if (batch instanceof Tensor t) return t;
    if (batch instanceof Tensor[] a && a.length > 0) return a[0];
    if (batch instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Tensor t) return t;
    throw new IllegalArgumentException("update_bn: a batch must be a tensor, or a Tensor[] or List whose first element is "
        + "the input, got " + (batch == null ? "null" : batch.getClass().getSimpleName()));
  }
}
