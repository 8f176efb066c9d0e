package dev.kiln.bench;

/**
 * How long each side is measured: rounds of Kiln then PyTorch (alternating, so both meet the same background
 * load), and in each round, per workload, warm-up iterations then measured ones of iterMs milliseconds each.
 */
public record Timing(int rounds, int warmup, int iters, int iterMs) {
  /**
   * 9 measured iterations per side and workload, each side started afresh per round (hence a warm-up iteration
   * every round): by the quick run's 4.6 minutes, about 15 minutes for issue 7's workloads on 2 cores, 25 with
   * PyTorch in the JVM.
   */
  public static final Timing FULL = new Timing(3, 1, 3, 250);
  /** A smoke run: every path exercised in a few minutes, figures only indicative. */
  public static final Timing QUICK = new Timing(1, 1, 3, 100);
}
