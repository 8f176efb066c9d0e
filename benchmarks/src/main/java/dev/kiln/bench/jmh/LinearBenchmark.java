package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.nn.Linear;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** nn.Linear(784, 256) on a batch of 64, forward + backward (weight and bias gradients, as a first layer). */
@State(Scope.Thread)
public class LinearBenchmark {
  private Linear linear;
  private Tensor x;
  private Tensor gy;

  @Setup
  public void setup() {
    Generator g = new Generator(1);
    linear = new Linear(784, 256);
    x = Tensor.randn(g, DType.FLOAT32, 64, 784);
    gy = Tensor.randn(g, DType.FLOAT32, 64, 256);
  }

  @Benchmark
  public void forwardBackward() {
    try (TensorScope s = TensorScope.open()) {
      linear.call(x).backward(gy);
      linear.zeroGrad();
    }
  }
}
