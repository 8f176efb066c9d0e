package dev.kiln.examples;

import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.data.DataLoader;
import dev.kiln.data.TensorDataset;
import java.nio.file.Path;

/**
 * Trains a softmax-regression classifier (one linear layer) on Fashion-MNIST with minibatch gradient
 * descent, the gradients written out by hand: every step is a handful of native tensor ops.
 *
 * <pre>
 * args: [data dir (default /usr/share/datasets/fashion-mnist)] [epochs (default 5)]
 * </pre>
 */
public final class SoftmaxRegression {
  private static final int CLASSES = 10;
  private static final int BATCH = 64;
  private static final double LEARNING_RATE = 0.1;

  public static void main(String[] args) throws Exception {
    Path dir = args.length > 0 ? Path.of(args[0]) : FashionMnist.DEBIAN_DIR;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    FashionMnist data = FashionMnist.load(dir);
    if (data.isSample()) {
      System.out.println("Fashion-MNIST not found in " + dir + ": training on the bundled sample of "
          + data.trainSize() + " images (apt-get install dataset-fashion-mnist for the full 60,000).");
    }
    System.out.printf("softmax regression: %d training and %d test images, %d epochs, batch %d, lr %.2f, %d threads%n",
        data.trainSize(), data.testSize(), epochs, BATCH, LEARNING_RATE, Kiln.getNumThreads());

    Kiln.manualSeed(0);
    Tensor weight = Tensor.zeros(FashionMnist.PIXELS, CLASSES);
    Tensor bias = Tensor.zeros(CLASSES);
    TensorDataset train = new TensorDataset(FashionMnist.pixels(data.train()), FashionMnist.labels(data.train()));
    DataLoader<Tensor[], Tensor[]> loader = DataLoader.builder(train).batchSize(BATCH).shuffle(true).seed(0).build();

    for (int epoch = 1; epoch <= epochs; epoch++) {
      long start = System.nanoTime();
      double lossSum = 0;
      int batches = 0;
      for (Tensor[] batch : loader) {
        try (TensorScope scope = TensorScope.open()) {
          lossSum += step(batch[0], batch[1].unsqueeze(1), weight, bias);
          batches++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("epoch %d  train loss %.4f  test accuracy %.2f%%  %.1f s  (%,.0f samples/s)%n",
          epoch, lossSum / batches, 100 * accuracy(data, weight, bias), seconds, train.size() / seconds);
    }
  }

  /** One gradient step on a batch; returns the batch's mean cross-entropy. */
  static double step(Tensor x, Tensor y, Tensor weight, Tensor bias) {
    long n = x.size(0);
    Tensor logits = x.matmul(weight).add(bias);
    Tensor shifted = logits.sub(logits.max(1, true).values()); // stable softmax
    Tensor e = shifted.exp();
    Tensor sumE = e.sum(1, true);
    Tensor probs = e.div(sumE);
    Tensor oneHot = Tensor.zeros(n, CLASSES).scatter(1, y, Tensor.ones(n, 1));
    // d(mean cross-entropy)/d(logits) = (softmax - one_hot) / n
    Tensor grad = probs.sub(oneHot).div(n);
    weight.sub_(x.t().matmul(grad).mul(LEARNING_RATE));
    bias.sub_(grad.sum(0).mul(LEARNING_RATE));
    return sumE.log().sub(shifted.gather(1, y)).mean().item();
  }

  static double accuracy(FashionMnist data, Tensor weight, Tensor bias) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor predicted = FashionMnist.pixels(data.test()).matmul(weight).add(bias).argmax(1);
      return predicted.eq(FashionMnist.labels(data.test())).sum().item() / data.testSize();
    }
  }

  private SoftmaxRegression() {}
}
