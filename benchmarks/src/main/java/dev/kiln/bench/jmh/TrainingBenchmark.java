package dev.kiln.bench.jmh;

import dev.kiln.bench.TrainingStep;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One training step of the main job's MLP or CNN (see TrainingStep); the runner reports samples/s. */
@State(Scope.Thread)
public class TrainingBenchmark {
  @Param({"mlp", "cnn"})
  public String model;

  @Param({"64", "256"})
  public int batch;

  private TrainingStep step;

  @Setup
  public void setup() {
    step = new TrainingStep(model, batch);
  }

  @Benchmark
  public void step() {
    step.run();
  }
}
