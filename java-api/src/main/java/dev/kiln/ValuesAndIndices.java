package dev.kiln;

/**
 * The result of {@code max(dim)}, {@code min(dim)} and similar: the values and their int64 indices
 * (PyTorch's {@code torch.return_types.max}). Closing it closes both tensors.
 */
public record ValuesAndIndices(Tensor values, Tensor indices) implements AutoCloseable {
  @Override
  public void close() {
    values.close();
    indices.close();
  }
}
