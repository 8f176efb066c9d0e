package dev.kiln.bench;

/**
 * How long each side is measured: rounds of Kiln then PyTorch (alternating, so both meet the same background
 * load), and in each round, per workload, warm-up iterations then measured ones of iterMs milliseconds each.
 */
public record Timing(int rounds, int warmup, int iters, int iterMs) {
  /** About 20 minutes for every workload on 2 cores. */
  public static final Timing FULL = new Timing(3, 2, 4, 300);
  /** A smoke run: every path exercised in a few minutes, figures only indicative. */
  public static final Timing QUICK = new Timing(1, 1, 3, 100);
}
