package dev.kiln.examples.fashion;

import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.data.DataLoader;
import dev.kiln.data.TensorDataset;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import java.util.function.BiFunction;

/** The training loop of the main job: one epoch of minibatch steps, and evaluation on a held-out set. */
final class Trainer {
  /** How often (in batches) the running loss goes to the curves. */
  private static final int CURVE_EVERY = 50;
  private static final int EVAL_BATCH = 1000;

  private final Module model;
  private final Optimizer optimizer;
  private final BiFunction<Tensor, Tensor, Tensor> loss;
  private final Device device;

  /** device: where the model is; batches are moved there. */
  Trainer(Module model, Optimizer optimizer, BiFunction<Tensor, Tensor, Tensor> loss, Device device) {
    this.model = model;
    this.optimizer = optimizer;
    this.loss = loss;
    this.device = device;
  }

  /** Trains one epoch; returns the mean training loss. */
  double trainEpoch(DataLoader<Tensor[], Tensor[]> loader, int epoch, EpochProgress progress, TrainingCurves curves) {
    model.train();
    double sum = 0, running = Double.NaN;
    int batches = 0, total = loader.size();
    for (Tensor[] batch : loader) {
      double value;
      try (TensorScope scope = TensorScope.open()) {
        optimizer.zeroGrad();
        Tensor l = loss.apply(model.call(batch[0].to(device)), batch[1].to(device));
        l.backward();
        optimizer.step();
        value = l.item();
      }
      sum += value;
      batches++;
      running = Double.isNaN(running) ? value : 0.98 * running + 0.02 * value; // smoothed for display
      progress.advance(batch[1].size(0), running);
      if (batches % CURVE_EVERY == 0) curves.addStep(epoch - 1 + (double) batches / total, running);
    }
    return sum / batches;
  }

  /** Mean loss and accuracy of the model on (images, labels), in eval mode and without a graph. */
  double[] evaluate(TensorDataset data) {
    model.eval();
    Tensor images = data.tensors()[0], labels = data.tensors()[1];
    long n = labels.size(0);
    double lossSum = 0, correct = 0;
    try (ModeScope noGrad = Autograd.noGrad()) {
      for (long from = 0; from < n; from += EVAL_BATCH) {
        long len = Math.min(EVAL_BATCH, n - from);
        try (TensorScope scope = TensorScope.open()) {
          Tensor y = labels.narrow(0, from, len).to(device);
          Tensor logits = model.call(images.narrow(0, from, len).to(device));
          lossSum += loss.apply(logits, y).item() * len;
          correct += logits.argmax(1).eq(y).sum().item();
        }
      }
    }
    return new double[] {lossSum / n, correct / n};
  }
}
