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

/** sum, softmax and log_softmax over the rows (the last dim) of a {@value #ROWS}x{@value #ROWS} float32 tensor. */
@State(Scope.Thread)
public class RowReductionBenchmark {
  public static final int ROWS = 4096;

  @Param({"sum", "softmax", "log_softmax"})
  public String op;

  private Tensor x;

  @Setup
  public void setup() {
    x = Tensor.randn(new Generator(1), DType.FLOAT32, ROWS, ROWS);
  }

  @Benchmark
  public void run() {
    try (TensorScope s = TensorScope.open()) {
      switch (op) {
        case "sum" -> x.sum(1, false);
        case "softmax" -> x.softmax(1);
        case "log_softmax" -> x.logSoftmax(1);
        default -> throw new IllegalArgumentException("unknown op " + op);
      }
    }
  }
}
