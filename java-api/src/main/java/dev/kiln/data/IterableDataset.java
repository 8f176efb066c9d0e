package dev.kiln.data;

/** A dataset read as a stream of items (torch.utils.data.IterableDataset): a DataLoader batches them in order. */
public interface IterableDataset<T> extends Iterable<T> {}
