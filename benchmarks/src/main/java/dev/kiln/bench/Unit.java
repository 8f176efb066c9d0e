package dev.kiln.bench;

/**
 * How a workload's time per call (ns, what JMH and benchmarks/pytorch/run.py both measure) becomes the figure
 * the table shows, given the work one call does (its amount: ops, flops, bytes or samples).
 */
public enum Unit {
  MICROS_PER_OP("µs/op", false),
  MILLIS("ms", false),
  GFLOPS("GFLOP/s", true),
  GBPS("GB/s", true),
  SAMPLES_PER_S("samples/s", true);

  private final String label;
  private final boolean higherIsFaster;

  Unit(String label, boolean higherIsFaster) {
    this.label = label;
    this.higherIsFaster = higherIsFaster;
  }

  public String label() {
    return label;
  }

  public boolean higherIsFaster() {
    return higherIsFaster;
  }

  /** The figure for a call of nanos that does amount of work. */
  public double figure(double nanos, double amount) {
    return switch (this) {
      case MICROS_PER_OP -> nanos / 1e3 / amount;
      case MILLIS -> nanos / 1e6;
      case GFLOPS, GBPS -> amount / nanos;
      case SAMPLES_PER_S -> amount * 1e9 / nanos;
    };
  }
}
