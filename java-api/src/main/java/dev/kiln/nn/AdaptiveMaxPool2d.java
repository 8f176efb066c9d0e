package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;

/** The maximum over windows chosen so that [N, C, H, W] becomes [N, C, outH, outW] (torch.nn.AdaptiveMaxPool2d). */
public class AdaptiveMaxPool2d extends Module {
  private final int[] outputSize;
  private final boolean single;

  public AdaptiveMaxPool2d(int outputSize) {
    this.outputSize = new int[] {outputSize, outputSize};
    this.single = true;
  }

  public AdaptiveMaxPool2d(int outH, int outW) {
    this.outputSize = new int[] {outH, outW};
    this.single = false;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.adaptiveMaxPool2d(input, outputSize);
  }

  /** The maxima and where they are (return_indices=True). */
  public ValuesAndIndices forwardWithIndices(Tensor input) {
    return Pooling.adaptiveMaxPool2dWithIndices(input, outputSize);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + PyRepr.intOrTuple(outputSize, single);
  }
}
