package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.nn.functional.Activations;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Elementwise ops on {@value #N} float32 elements, each into a new tensor (as user code writes them). */
@State(Scope.Thread)
public class ElementwiseBenchmark {
  public static final int N = 16 * 1024 * 1024;

  @Param({"add", "mul", "exp", "gelu"})
  public String op;

  private Tensor x;
  private Tensor y;

  @Setup
  public void setup() {
    Generator g = new Generator(1);
    x = Tensor.randn(g, DType.FLOAT32, N);
    y = Tensor.randn(g, DType.FLOAT32, N);
  }

  @Benchmark
  public void run() {
    try (TensorScope s = TensorScope.open()) {
      switch (op) {
        case "add" -> x.add(y);
        case "mul" -> x.mul(y);
        case "exp" -> x.exp();
        case "gelu" -> Activations.gelu(x);
        default -> throw new IllegalArgumentException("unknown op " + op);
      }
    }
  }
}
