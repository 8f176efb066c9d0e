package dev.kiln.data;

import java.util.List;

/** Datasets one after another (torch.utils.data.ConcatDataset). */
public final class ConcatDataset<T> implements Dataset<T> {
  private final List<Dataset<T>> datasets;
  private final int[] ends; // cumulative sizes

  @SafeVarargs
  public ConcatDataset(Dataset<T>... datasets) {
    this(List.of(datasets));
  }

  public ConcatDataset(List<Dataset<T>> datasets) {
    if (datasets.isEmpty()) throw new IllegalArgumentException("ConcatDataset: datasets should not be an empty iterable");
    this.datasets = List.copyOf(datasets);
    ends = new int[datasets.size()];
    int total = 0;
    for (int i = 0; i < ends.length; i++) ends[i] = total = Math.addExact(total, datasets.get(i).size());
  }

  @Override
  public T get(int index) {
    if (index < 0) index += size();
    if (index < 0 || index >= size()) throw new IndexOutOfBoundsException("index " + index + " is out of range for a dataset of " + size());
    int d = 0;
    while (index >= ends[d]) d++;
    return datasets.get(d).get(d == 0 ? index : index - ends[d - 1]);
  }

  @Override
  public int size() {
    return ends[ends.length - 1];
  }
}
