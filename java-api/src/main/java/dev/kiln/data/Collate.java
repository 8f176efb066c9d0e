package dev.kiln.data;

import dev.kiln.Tensor;
import java.util.List;

/**
 * How items become a batch (torch.utils.data.default_collate): tensors are stacked along a new first dim,
 * and arrays of tensors position by position.
 */
public final class Collate {
  private Collate() {}

  /** Stacks tensors of one shape and dtype into [n, ...]. */
  public static Tensor stack(List<Tensor> items) {
    if (items.isEmpty()) throw new IllegalArgumentException("collate: an empty batch");
    Tensor first = items.get(0);
    long[] shape = new long[first.dim() + 1];
    shape[0] = items.size();
    System.arraycopy(first.shape(), 0, shape, 1, first.dim());
    Tensor batch = Tensor.empty(first.dtype(), shape);
    for (int i = 0; i < items.size(); i++) {
      Tensor item = items.get(i);
      if (!java.util.Arrays.equals(item.shape(), first.shape()))
        throw new IllegalArgumentException("collate: stack expects each tensor to be equal size, but got " + java.util.Arrays.toString(first.shape())
            + " at entry 0 and " + java.util.Arrays.toString(item.shape()) + " at entry " + i);
      try (Tensor row = batch.narrow(0, i, 1)) {
        row.copy_(item.unsqueeze(0));
      }
    }
    return batch;
  }

  /** Stacks items that are arrays of tensors, position by position. */
  public static Tensor[] stackEach(List<Tensor[]> items) {
    int n = items.get(0).length;
    Tensor[] out = new Tensor[n];
    for (int k = 0; k < n; k++) {
      final int kk = k;
      out[k] = stack(items.stream().map(item -> item[kk]).toList());
    }
    return out;
  }
}
