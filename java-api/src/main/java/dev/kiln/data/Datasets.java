package dev.kiln.data;

import java.util.ArrayList;
import java.util.List;

/** Operations on datasets: random splits (torch.utils.data.random_split). */
public final class Datasets {
  private Datasets() {}

  /** Splits a dataset into non-overlapping random subsets of the given lengths (which sum to its size). */
  public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, int[] lengths, long seed) {
    long total = 0;
    for (int l : lengths) {
      if (l < 0) throw new IllegalArgumentException("randomSplit: lengths must be non-negative, got " + l);
      total += l;
    }
    if (total != dataset.size())
      throw new IllegalArgumentException("randomSplit: sum of input lengths (" + total + ") does not equal the length of the input dataset (" + dataset.size() + ")");
    int[] perm = Samplers.permutation(dataset.size(), seed);
    List<Subset<T>> out = new ArrayList<>();
    int offset = 0;
    for (int l : lengths) {
      out.add(new Subset<>(dataset, java.util.Arrays.copyOfRange(perm, offset, offset + l)));
      offset += l;
    }
    return out;
  }

  /** Splits by fractions that sum to 1; the remainder after flooring goes round-robin, as PyTorch does. */
  public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, double[] fractions, long seed) {
    double sum = 0;
    for (double f : fractions) {
      if (f < 0 || f > 1) throw new IllegalArgumentException("randomSplit: fraction " + f + " is not between 0 and 1");
      sum += f;
    }
    if (Math.abs(sum - 1) > 1e-9) throw new IllegalArgumentException("randomSplit: fractions sum to " + sum + ", not 1");
    int n = dataset.size();
    int[] lengths = new int[fractions.length];
    int assigned = 0;
    for (int i = 0; i < lengths.length; i++) assigned += lengths[i] = (int) Math.floor(n * fractions[i]);
    for (int i = 0; assigned < n; i = (i + 1) % lengths.length, assigned++) lengths[i]++;
    return randomSplit(dataset, lengths, seed);
  }
}
