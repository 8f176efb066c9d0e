package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/**
 * x for x >= 0, a * x below, with the slope a learnt: one slope for all channels or one per channel (dim 1)
 * (torch.nn.PReLU; defaults one parameter initialised to 0.25).
 */
public class PReLU extends Module {
  public final int numParameters;
  public final Tensor weight;

  public PReLU() {
    this(1, 0.25);
  }

  public PReLU(int numParameters, double init) {
    if (numParameters < 1) throw new IllegalArgumentException("PReLU: num_parameters must be positive, got " + numParameters);
    this.numParameters = numParameters;
    this.weight = registerParameter("weight", Tensor.full(init, numParameters));
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.prelu(input, tensor("weight"));
  }

  @Override
  protected String extraRepr() {
    return "num_parameters=" + numParameters;
  }
}
