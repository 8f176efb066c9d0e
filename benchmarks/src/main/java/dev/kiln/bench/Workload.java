package dev.kiln.bench;

import java.util.Map;

/**
 * One row of the table. The id names it on every side (benchmarks/pytorch/run.py knows the same ids); kiln is the
 * JMH benchmark that times Kiln, openBlas the one calling OpenBLAS directly (gemm rows only, else null). The same
 * benchmark class and method under dev.kiln.bench.bytedeco times PyTorch in the JVM, unless bytedecoNa says why
 * its API cannot.
 */
public record Workload(String id, String label, Unit unit, double amount, JmhCall kiln, JmhCall openBlas,
    String bytedecoNa, String target) {

  /** A JMH benchmark (simple class name and method, in dev.kiln.bench.jmh) with its @Param values. */
  public record JmhCall(String benchmark, Map<String, String> params) {
    public String className(String pkg) {
      return pkg + "." + benchmark.substring(0, benchmark.indexOf('.'));
    }

    public String method() {
      return benchmark.substring(benchmark.indexOf('.') + 1);
    }
  }

  /** The bytedeco form of the Kiln call, or null where its API cannot express the workload. */
  public JmhCall bytedeco() {
    return bytedecoNa == null ? kiln : null;
  }

  /** True for the training steps, whose peak resident memory the table also reports. */
  public boolean isTraining() {
    return id.startsWith("train_");
  }
}
