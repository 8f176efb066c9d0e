package dev.kiln.data;

import dev.kiln.Tensor;

/**
 * Tensors that share their first dimension, item i being their i-th rows (torch.utils.data.TensorDataset):
 * {@code new TensorDataset(images, labels)}. Items are views: nothing is copied until a batch is made.
 */
public final class TensorDataset implements Dataset<Tensor[]> {
  private final Tensor[] tensors;
  private final int size;

  public TensorDataset(Tensor... tensors) {
    if (tensors.length == 0) throw new IllegalArgumentException("TensorDataset: at least one tensor is needed");
    for (Tensor t : tensors)
      if (t.dim() == 0 || t.size(0) != tensors[0].size(0))
        throw new IllegalArgumentException("TensorDataset: size mismatch between tensors: every tensor needs the same first dimension, got "
            + java.util.Arrays.toString(t.shape()) + " and " + java.util.Arrays.toString(tensors[0].shape()));
    this.tensors = tensors.clone();
    this.size = Math.toIntExact(tensors[0].size(0));
  }

  public Tensor[] tensors() {
    return tensors.clone();
  }

  @Override
  public Tensor[] get(int index) {
    if (index < 0 || index >= size) throw new IndexOutOfBoundsException("index " + index + " is out of range for a dataset of " + size);
    Tensor[] item = new Tensor[tensors.length];
    for (int k = 0; k < item.length; k++) item[k] = tensors[k].narrow(0, index, 1).squeeze(0);
    return item;
  }

  /** The rows of a batch, one index_select per tensor (what stacking the items one by one gives, in one call). */
  public Tensor[] getBatch(int[] indices) {
    long[] rows = new long[indices.length];
    for (int i = 0; i < rows.length; i++) {
      if (indices[i] < 0 || indices[i] >= size) throw new IndexOutOfBoundsException("index " + indices[i] + " is out of range for a dataset of " + size);
      rows[i] = indices[i];
    }
    Tensor index = Tensor.of(rows);
    Tensor[] batch = new Tensor[tensors.length];
    for (int k = 0; k < batch.length; k++) batch[k] = tensors[k].indexSelect(0, index);
    index.close();
    return batch;
  }

  @Override
  public int size() {
    return size;
  }
}
