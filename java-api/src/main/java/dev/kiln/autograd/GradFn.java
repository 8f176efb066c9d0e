package dev.kiln.autograd;

/**
 * The node of the autograd graph that produced a tensor ({@code tensor.grad_fn}).
 *
 * @param name PyTorch's name for the node, such as {@code MulBackward0}
 */
public record GradFn(String name) {
  @Override
  public String toString() {
    return name;
  }
}
