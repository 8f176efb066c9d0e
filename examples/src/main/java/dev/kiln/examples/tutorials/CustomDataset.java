package dev.kiln.examples.tutorials;

import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import dev.kiln.optim.Adam;

/**
 * A dataset of one's own: implement Dataset (get(index) and size()) and hand it to a DataLoader, which
 * shuffles (reproducibly, from a seed), batches, and with workers loads batches ahead of the training loop.
 * Here the items are made on demand from the index, as a dataset reading files would: the points of a
 * 16 x 16 grid on the square [-1, 1]^2, labelled 1 inside the circle of radius 0.8. A small network learns
 * the circle with a logistic loss written from tensor ops.
 */
public final class CustomDataset {
  /** Item i: the point [x, y] of grid cell i and its label [1 or 0]. */
  public static final class CirclePoints implements Dataset<Tensor[]> {
    static final int SIDE = 16;

    @Override
    public Tensor[] get(int index) {
      if (index < 0 || index >= size()) throw new IndexOutOfBoundsException("index " + index + " is out of range for " + size() + " points");
      float x = -1 + (index % SIDE + 0.5f) * 2 / SIDE, y = -1 + (index / SIDE + 0.5f) * 2 / SIDE;
      float label = x * x + y * y < 0.64f ? 1 : 0;
      return new Tensor[] {Tensor.of(new float[] {x, y}), Tensor.of(new float[] {label})};
    }

    @Override
    public int size() {
      return SIDE * SIDE;
    }
  }

  /** Batches of 32 in a new order each epoch; two worker threads collate the next batches meanwhile. */
  public static DataLoader<Tensor[], Tensor[]> loader(Dataset<Tensor[]> data, long seed) {
    return DataLoader.builder(data).batchSize(32).shuffle(true).seed(seed).numWorkers(2).build();
  }

  /** The mean loss of each epoch, and the accuracy on the whole grid at the end. */
  public record Run(double[] epochLosses, double accuracy) {}

  public static Run run(int epochs) {
    Kiln.manualSeed(0);
    CirclePoints data = new CirclePoints();
    Sequential model = new Sequential(new Linear(2, 16), new Tanh(), new Linear(16, 1));
    Adam opt = new Adam(model.parameters(), 0.05);
    DataLoader<Tensor[], Tensor[]> loader = loader(data, 0);
    double[] epochLosses = new double[epochs];
    for (int epoch = 0; epoch < epochs; epoch++) {
      double sum = 0;
      for (Tensor[] batch : loader) {
        opt.zeroGrad();
        Tensor loss = logisticLoss(model.call(batch[0]), batch[1]);
        sum += loss.item();
        loss.backward();
        opt.step();
      }
      epochLosses[epoch] = sum / loader.size();
    }
    return new Run(epochLosses, accuracy(model, data));
  }

  /**
   * Binary cross-entropy on logits z (torch.nn.BCEWithLogitsLoss), in the form that never overflows:
   * mean(max(z, 0) - z y + log(1 + exp(-|z|))).
   */
  static Tensor logisticLoss(Tensor logits, Tensor labels) {
    return logits.relu().sub(logits.mul(labels)).add(logits.abs().neg().exp().add(1).log()).mean();
  }

  /** The fraction of points whose logit has the sign of their label, over one pass in order. */
  static double accuracy(Sequential model, Dataset<Tensor[]> data) {
    double correct = 0;
    DataLoader<Tensor[], Tensor[]> inOrder = DataLoader.builder(data).batchSize(64).build();
    for (Tensor[] batch : inOrder) {
      Tensor predicted = model.call(batch[0]).gt(0).to(batch[1].dtype());
      correct += predicted.eq(batch[1]).to(batch[1].dtype()).sum().item();
    }
    return correct / data.size();
  }

  public static void main(String[] args) {
    Run r = run(40);
    for (int epoch = 0; epoch < r.epochLosses().length; epoch += 5)
      System.out.printf("epoch %2d  loss %.4f%n", epoch, r.epochLosses()[epoch]);
    System.out.printf("accuracy on the grid: %.1f%%%n", 100 * r.accuracy());
  }

  private CustomDataset() {}
}
