package dev.kiln.data;

/** A map-style dataset (torch.utils.data.Dataset): items by index. */
public interface Dataset<T> {
  T get(int index);

  int size();
}
