package dev.kiln.nn;

import dev.kiln.Generator;

/**
 * What the dropout layers share (PyTorch's _DropoutNd): the probability p, checked to lie in [0, 1], the inplace
 * flag, and the Generator masks are drawn from (null: the global one). They drop only in training mode.
 */
public abstract class DropoutBase extends Module {
  public final double p;
  public final boolean inplace;
  protected final Generator generator;

  protected DropoutBase(double p, boolean inplace, Generator generator) {
    if (!(p >= 0 && p <= 1))
      throw new IllegalArgumentException(name() + ": dropout probability has to be between 0 and 1, but got " + p);
    this.p = p;
    this.inplace = inplace;
    this.generator = generator;
  }

  @Override
  protected String extraRepr() {
    return "p=" + PyRepr.num(p) + ", inplace=" + (inplace ? "True" : "False");
  }
}
