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
    return Tensor.stack(items, 0);
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
