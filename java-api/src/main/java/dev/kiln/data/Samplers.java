package dev.kiln.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Index orders for a DataLoader (torch.utils.data samplers): sequential, seeded random permutations, and
 * the grouping of indices into batches.
 */
public final class Samplers {
  private Samplers() {}

  /** The indices 0..n-1 in order. */
  public static Iterable<Integer> sequential(int n) {
    return () -> new Iterator<>() {
      int i = 0;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public Integer next() {
        return i++;
      }
    };
  }

  /**
   * A new random permutation of 0..n-1 each time it is iterated: epoch e uses the e-th seed drawn from
   * seed, so a run is reproducible whatever else uses random numbers.
   */
  public static Iterable<Integer> random(int n, long seed) {
    SplittableRandom epochs = new SplittableRandom(seed);
    return () -> {
      int[] perm = permutation(n, epochs.nextLong());
      List<Integer> list = new ArrayList<>(n);
      for (int i : perm) list.add(i);
      return list.iterator();
    };
  }

  /** Groups an index order into batches; the last batch may be short unless dropLast. */
  public static Iterable<int[]> batches(Iterable<Integer> order, int batchSize, boolean dropLast) {
    if (batchSize <= 0) throw new IllegalArgumentException("batch_size should be a positive integer value, but got batch_size=" + batchSize);
    return () -> new Iterator<>() {
      final Iterator<Integer> it = order.iterator();
      int[] next = advance();

      private int[] advance() {
        int[] batch = new int[batchSize];
        int k = 0;
        while (k < batchSize && it.hasNext()) batch[k++] = it.next();
        if (k == 0 || (dropLast && k < batchSize)) return null;
        return k == batchSize ? batch : java.util.Arrays.copyOf(batch, k);
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public int[] next() {
        if (next == null) throw new java.util.NoSuchElementException();
        int[] b = next;
        next = advance();
        return b;
      }
    };
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  static int[] permutation(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
