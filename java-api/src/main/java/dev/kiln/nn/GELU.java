package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** gelu, elementwise (torch.nn.GELU): approximate "none" (the exact erf form, the default) or "tanh". */
public class GELU extends Module {
  private final String approximate;

  public GELU() {
    this("none");
  }

  public GELU(String approximate) {
    if (!approximate.equals("none") && !approximate.equals("tanh"))
      throw new IllegalArgumentException("GELU: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
    this.approximate = approximate;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.gelu(input, approximate);
  }

  @Override
  protected String extraRepr() {
    return "approximate='" + approximate + "'";
  }
}
