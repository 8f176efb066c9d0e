package dev.kiln.examples.fashion;

import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;

/**
 * The networks of the main job, as PyTorch users write them (tools/fashion_mnist_torch.py builds the same).
 * Public so that the benchmarks time exactly these models.
 */
public final class Models {
  private Models() {}

  /** 784-256-128-10 with ReLU. */
  public static Sequential mlp() {
    return new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
  }

  /** conv32-pool-conv64-pool-fc128-fc10: 3x3 convolutions padded to keep 28x28, then 14x14, then 7x7. */
  public static Sequential cnn() {
    return new Sequential(
        new Conv2d(1, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, 1, 1), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(64 * 7 * 7, 128), new ReLU(), new Linear(128, 10));
  }
}
