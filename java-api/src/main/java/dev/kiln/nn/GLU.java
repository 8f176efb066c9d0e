package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** The gated linear unit: splits dim into halves a and b and returns a * sigmoid(b) (torch.nn.GLU; default dim -1). */
public class GLU extends Module {
  private final int dim;

  public GLU() {
    this(-1);
  }

  public GLU(int dim) {
    this.dim = dim;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.glu(input, dim);
  }

  @Override
  protected String extraRepr() {
    return "dim=" + dim;
  }
}
