package dev.kiln.bench;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.examples.fashion.Models;
import dev.kiln.nn.Module;
import dev.kiln.nn.functional.Losses;
import dev.kiln.optim.Adam;
import java.util.Map;

/**
 * A Fashion-MNIST training step of the main job's models (Models.mlp, Models.cnn): zero_grad, forward,
 * cross-entropy, backward, Adam (lr 1e-3). The batch is fixed random images and labels of Fashion-MNIST's shape,
 * since the figures measure compute, not data loading; benchmarks/pytorch/run.py does the same.
 */
public final class TrainingStep {
  private final Module model;
  private final Adam optimizer;
  private final Tensor images;
  private final Tensor labels;

  public TrainingStep(String model, int batch) {
    Kiln.manualSeed(1);
    this.model = switch (model) {
      case "mlp" -> Models.mlp();
      case "cnn" -> Models.cnn();
      default -> throw new IllegalArgumentException("unknown model " + model + " (mlp or cnn)");
    };
    optimizer = new Adam(this.model.parameters(), Map.of("lr", 1e-3));
    Generator g = new Generator(2);
    images = Tensor.rand(g, DType.FLOAT32, batch, 1, 28, 28);
    labels = Tensor.randint(g, 0, 10, batch);
  }

  public void run() {
    try (TensorScope s = TensorScope.open()) {
      optimizer.zeroGrad();
      Losses.crossEntropy(model.call(images), labels).backward();
      optimizer.step();
    }
  }
}
