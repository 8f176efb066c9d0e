package dev.kiln;

/**
 * The result of {@code stdMean}: the standard deviation and the mean over the same dims
 * ({@code torch.std_mean}). Closing it closes both tensors.
 */
public record StdMean(Tensor std, Tensor mean) implements AutoCloseable {
  @Override
  public void close() {
    std.close();
    mean.close();
  }
}
