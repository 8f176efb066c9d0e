package dev.kiln.bench.bytedeco;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** dev.kiln.bench.jmh.RowReductionBenchmark in PyTorch 2.7.1 from Java. */
@State(Scope.Thread)
public class RowReductionBenchmark {
  @Param({"sum", "softmax", "log_softmax"})
  public String op;

  private Tensor x;

  @Setup
  public void setup() {
    Torch.init();
    int rows = dev.kiln.bench.jmh.RowReductionBenchmark.ROWS;
    x = torch.randn(rows, rows);
  }

  @Benchmark
  public void run() {
    try (PointerScope s = new PointerScope()) {
      switch (op) {
        case "sum" -> x.sum(1);
        case "softmax" -> x.softmax(1);
        case "log_softmax" -> torch.log_softmax(x, 1);
        default -> throw new IllegalArgumentException("unknown op " + op);
      }
    }
  }
}
