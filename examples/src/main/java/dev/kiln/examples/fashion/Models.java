package dev.kiln.examples.fashion;

import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;

/** The networks of the main job, as PyTorch users write them (tools/fashion_mnist_torch.py builds the same). */
final class Models {
  private Models() {}

  /** 784-256-128-10 with ReLU. */
  static Sequential mlp() {
    return new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
  }
}
