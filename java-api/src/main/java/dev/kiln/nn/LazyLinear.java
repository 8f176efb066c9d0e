package dev.kiln.nn;

import dev.kiln.ShapeException;
import dev.kiln.Tensor;

/**
 * A Linear whose in_features is the last dim of its first input (torch.nn.LazyLinear); it then becomes that Linear
 * (see {@link LazyModule}).
 *
 * <pre>{@code
 * Sequential net = new Sequential(new LazyLinear(128), new ReLU(), new LazyLinear(10));
 * net.call(Tensor.zeros(1, 784));   // now 784 -> 128 -> 10
 * }</pre>
 */
public class LazyLinear extends LazyModule<Linear> {
  private final int outFeatures;
  private final boolean bias;

  public LazyLinear(int outFeatures) {
    this(outFeatures, true);
  }

  public LazyLinear(int outFeatures, boolean bias) {
    if (outFeatures < 0)
      throw new IllegalArgumentException("LazyLinear: out_features must be non-negative, got " + outFeatures);
    this.outFeatures = outFeatures;
    this.bias = bias;
    lazyParameter("weight", true);
    lazyParameter("bias", bias);
  }

  @Override
  protected int inferSize(Tensor input) {
    if (input.dim() == 0)
      throw new ShapeException("LazyLinear: expected an input with a feature dim, got a 0-dim tensor");
    return Math.toIntExact(input.shape()[input.dim() - 1]);
  }

  @Override
  protected int sizeFromState(String name, Tensor t) {
    return name.equals("weight") && t.dim() == 2 ? Math.toIntExact(t.shape()[1]) : -1;
  }

  @Override
  protected Linear build(int size) {
    return new Linear(size, outFeatures, bias);
  }

  @Override
  protected String extraRepr() {
    return "in_features=0, out_features=" + outFeatures + ", bias=" + (bias ? "True" : "False");
  }
}
