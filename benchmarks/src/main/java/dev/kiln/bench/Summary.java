package dev.kiln.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Median and spread of one side's times per call for one workload, over every measured iteration of every round.
 * The spread is (max - min) / median: how far apart the fastest and slowest iterations were.
 */
public record Summary(double median, double spread, int count) {
  public static Summary of(List<Double> nanos) {
    if (nanos == null || nanos.isEmpty()) return null;
    List<Double> s = new ArrayList<>(nanos);
    s.sort(null);
    int n = s.size();
    double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    return new Summary(median, (s.get(n - 1) - s.get(0)) / median, n);
  }
}
