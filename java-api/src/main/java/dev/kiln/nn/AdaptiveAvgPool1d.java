package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/** The mean over windows chosen so that [N, C, L] becomes [N, C, outputSize] (torch.nn.AdaptiveAvgPool1d). */
public class AdaptiveAvgPool1d extends Module {
  private final int outputSize;

  public AdaptiveAvgPool1d(int outputSize) {
    this.outputSize = outputSize;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.adaptiveAvgPool1d(input, outputSize);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + outputSize;
  }
}
