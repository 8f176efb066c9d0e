package dev.kiln;

/**
 * The result of {@code varMean}: the variance and the mean over the same dims ({@code torch.var_mean}).
 * Closing it closes both tensors.
 */
public record VarMean(Tensor var, Tensor mean) implements AutoCloseable {
  @Override
  public void close() {
    var.close();
    mean.close();
  }
}
