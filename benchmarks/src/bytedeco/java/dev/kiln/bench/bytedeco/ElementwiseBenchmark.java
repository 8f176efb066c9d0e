package dev.kiln.bench.bytedeco;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** dev.kiln.bench.jmh.ElementwiseBenchmark in PyTorch 2.7.1 from Java. */
@State(Scope.Thread)
public class ElementwiseBenchmark {
  @Param({"add", "mul", "exp", "gelu"})
  public String op;

  private Tensor x;
  private Tensor y;

  @Setup
  public void setup() {
    Torch.init();
    x = torch.randn(dev.kiln.bench.jmh.ElementwiseBenchmark.N);
    y = torch.randn(dev.kiln.bench.jmh.ElementwiseBenchmark.N);
  }

  @Benchmark
  public void run() {
    try (PointerScope s = new PointerScope()) {
      switch (op) {
        case "add" -> x.add(y);
        case "mul" -> x.mul(y);
        case "exp" -> x.exp();
        case "gelu" -> torch.gelu(x);
        default -> throw new IllegalArgumentException("unknown op " + op);
      }
    }
  }
}
