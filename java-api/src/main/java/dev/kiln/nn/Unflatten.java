package dev.kiln.nn;

import dev.kiln.Tensor;

/** Expands one dim into several (torch.nn.Unflatten): [N, 12] with dim 1 and sizes (3, 4) gives [N, 3, 4]. */
public class Unflatten extends Module {
  private final int dim;
  private final long[] sizes;

  public Unflatten(int dim, long... sizes) {
    this.dim = dim;
    this.sizes = sizes.clone();
  }

  @Override
  public Tensor forward(Tensor input) {
    long[] shape = input.shape();
    int d = dim < 0 ? dim + shape.length : dim;
    if (d < 0 || d >= shape.length)
      throw new dev.kiln.IndexException("Unflatten: dimension out of range (expected to be in range of [" + -shape.length + ", " + (shape.length - 1) + "], but got " + dim + ")");
    long[] out = new long[shape.length - 1 + sizes.length];
    System.arraycopy(shape, 0, out, 0, d);
    System.arraycopy(sizes, 0, out, d, sizes.length);
    System.arraycopy(shape, d + 1, out, d + sizes.length, shape.length - d - 1);
    return input.view(out);
  }

  @Override
  protected String extraRepr() {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < sizes.length; i++) s.append(i > 0 ? ", " : "").append(sizes[i]);
    return "dim=" + dim + ", unflattened_size=" + s.append(sizes.length == 1 ? ",)" : ")");
  }
}
