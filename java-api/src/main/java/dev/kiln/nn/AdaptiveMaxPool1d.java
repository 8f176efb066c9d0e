package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;

/** The maximum over windows chosen so that [N, C, L] becomes [N, C, outputSize] (torch.nn.AdaptiveMaxPool1d). */
public class AdaptiveMaxPool1d extends Module {
  private final int outputSize;

  public AdaptiveMaxPool1d(int outputSize) {
    this.outputSize = outputSize;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.adaptiveMaxPool1d(input, outputSize);
  }

  /** The maxima and where they are (return_indices=True). */
  public ValuesAndIndices forwardWithIndices(Tensor input) {
    return Pooling.adaptiveMaxPool1dWithIndices(input, outputSize);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + outputSize;
  }
}
