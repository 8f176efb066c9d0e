package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Square matrix products a.mm(b) into a new tensor, float32 (sgemm) and float64 (dgemm). */
@State(Scope.Thread)
public class GemmBenchmark {
  @Param({"64", "256", "1024", "2048"})
  public int n;

  @Param({"float32", "float64"})
  public String dtype;

  private Tensor a;
  private Tensor b;

  @Setup
  public void setup() {
    Generator g = new Generator(1);
    DType t = dtype.equals("float32") ? DType.FLOAT32 : DType.FLOAT64;
    a = Tensor.randn(g, t, n, n);
    b = Tensor.randn(g, t, n, n);
  }

  @Benchmark
  public void mm() {
    try (TensorScope s = TensorScope.open()) {
      a.mm(b);
    }
  }
}
