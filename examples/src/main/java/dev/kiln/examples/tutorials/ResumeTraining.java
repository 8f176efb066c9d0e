package dev.kiln.examples.tutorials;

import dev.kiln.Generator;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.data.DataLoader;
import dev.kiln.data.TensorDataset;
import dev.kiln.io.Checkpoint;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import dev.kiln.nn.utils.ParameterVectors;
import dev.kiln.optim.Adam;
import dev.kiln.optim.scheduler.StepLR;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saving and resuming training. Checkpoint.save writes one safetensors file with the model's weights, the
 * optimizer's state (Adam's moments and step counts, the learning rates) and the scheduler's; loaded into a
 * freshly made model, optimizer and scheduler, training goes on exactly where it stopped: 3 epochs, a save,
 * a load into new objects, 3 more epochs give the same weights, bit for bit, as 6 epochs in one go. For
 * that the data order of an epoch must not depend on how many epochs this process has run, so each epoch's
 * shuffle is seeded from its number. SafeTensors alone saves the weights for inference (or for PyTorch).
 */
public final class ResumeTraining {
  /** Everything that changes during training. */
  record Trainer(Sequential model, Adam optimizer, StepLR scheduler) {
    /** A new model (initialised from seed), Adam with lr 0.05, halved every 4 epochs. */
    static Trainer create(long seed) {
      Kiln.manualSeed(seed);
      Sequential model = new Sequential(new Linear(2, 16), new Tanh(), new Linear(16, 1));
      Adam optimizer = new Adam(model.parameters(), 0.05);
      return new Trainer(model, optimizer, new StepLR(optimizer, 4, 0.5));
    }
  }

  /** 128 points x uniform in [-1, 1]^2 (seed 1), y = x0 x1. */
  static TensorDataset data() {
    try (Generator g = new Generator(1)) {
      Tensor x = Tensor.rand(g, 128, 2).mul(2).sub(1);
      Tensor y = x.narrow(1, 0, 1).mul(x.narrow(1, 1, 1));
      return new TensorDataset(x, y);
    }
  }

  /** One epoch of mini-batches of 16; returns the mean loss. */
  static double trainEpoch(Trainer t, TensorDataset data, int epoch) {
    DataLoader<Tensor[], Tensor[]> loader = DataLoader.builder(data).batchSize(16).shuffle(true).seed(1000 + epoch).build();
    double sum = 0;
    for (Tensor[] batch : loader) {
      t.optimizer().zeroGrad();
      Tensor loss = t.model().call(batch[0]).sub(batch[1]).pow(2).mean();
      sum += loss.item();
      loss.backward();
      t.optimizer().step();
    }
    t.scheduler().step();
    return sum / loader.size();
  }

  /** The loss of each epoch and the weights at the end, flattened. */
  public record Run(double[] epochLosses, float[] weights) {}

  public static Run uninterrupted(int epochs) {
    TensorDataset data = data();
    Trainer t = Trainer.create(0);
    double[] losses = new double[epochs];
    for (int epoch = 0; epoch < epochs; epoch++) losses[epoch] = trainEpoch(t, data, epoch);
    return new Run(losses, ParameterVectors.parametersToVector(t.model().parameters()).toFloatArray());
  }

  /** Trains stopAt epochs, saves, loads into new objects (initialised differently) and trains to the end. */
  public static Run resumed(int epochs, int stopAt, Path checkpoint) throws IOException {
    TensorDataset data = data();
    double[] losses = new double[epochs];
    Trainer first = Trainer.create(0);
    for (int epoch = 0; epoch < stopAt; epoch++) losses[epoch] = trainEpoch(first, data, epoch);
    // The epoch saved is the next one to run.
    Checkpoint.save(checkpoint, first.model(), first.optimizer(), first.scheduler(), stopAt);

    Trainer second = Trainer.create(42);
    int start = Checkpoint.load(checkpoint, second.model(), second.optimizer(), second.scheduler());
    for (int epoch = start; epoch < epochs; epoch++) losses[epoch] = trainEpoch(second, data, epoch);
    return new Run(losses, ParameterVectors.parametersToVector(second.model().parameters()).toFloatArray());
  }

  /** Saves the trained weights alone and loads them into a new model: the predictions are the same. */
  public static boolean weightsRoundTrip(Path file) throws IOException {
    Trainer trained = Trainer.create(0);
    TensorDataset data = data();
    trainEpoch(trained, data, 0);
    SafeTensors.save(trained.model().stateDict(), file);
    Trainer fresh = Trainer.create(7);
    fresh.model().loadStateDict(SafeTensors.load(file));
    Tensor x = data.tensors()[0];
    return java.util.Arrays.equals(trained.model().call(x).toFloatArray(), fresh.model().call(x).toFloatArray());
  }

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("kiln-resume");
    Path checkpoint = dir.resolve("checkpoint.safetensors"), weights = dir.resolve("weights.safetensors");
    try {
      Run whole = uninterrupted(6);
      Run resumed = resumed(6, 3, checkpoint);
      for (int epoch = 0; epoch < 6; epoch++)
        System.out.printf("epoch %d  loss %.6f (uninterrupted)  %.6f (stopped after epoch 2 and resumed)%n", epoch,
            whole.epochLosses()[epoch], resumed.epochLosses()[epoch]);
      System.out.println("same weights, bit for bit: " + java.util.Arrays.equals(whole.weights(), resumed.weights()));
      System.out.println("weights saved alone and reloaded predict the same: " + weightsRoundTrip(weights));
    } finally {
      Files.deleteIfExists(checkpoint);
      Files.deleteIfExists(weights);
      Files.delete(dir);
    }
  }

  private ResumeTraining() {}
}
