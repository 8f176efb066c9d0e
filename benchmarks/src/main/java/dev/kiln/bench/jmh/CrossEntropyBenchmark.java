package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Losses;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * cross_entropy of float32 logits [rows, classes] against int64 targets (the mean), forward alone and forward +
 * backward into the logits' gradient. Kernel suite (formerly LossBench).
 */
@State(Scope.Thread)
public class CrossEntropyBenchmark {
  @Param({"64x10", "256x1000", "1024x50257"})
  public String shape;

  private Tensor x;
  private Tensor target;

  @Setup
  public void setup() {
    String[] rc = shape.split("x");
    long rows = Long.parseLong(rc[0]);
    long classes = Long.parseLong(rc[1]);
    try (Generator g = new Generator(0)) {
      x = Tensor.randn(g, DType.FLOAT32, rows, classes).requiresGrad(true);
      target = Tensor.randint(g, 0, classes, rows);
    }
  }

  @Benchmark
  public void forward() {
    try (ModeScope g = Autograd.noGrad(); TensorScope s = TensorScope.open()) {
      Losses.crossEntropy(x, target);
    }
  }

  @Benchmark
  public void forwardBackward() {
    try (TensorScope s = TensorScope.open()) {
      x.setGrad(null);
      Losses.crossEntropy(x, target).backward();
    }
  }
}
