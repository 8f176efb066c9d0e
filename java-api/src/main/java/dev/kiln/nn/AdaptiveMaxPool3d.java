package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;

/**
 * The maximum over windows chosen so that [N, C, D, H, W] becomes [N, C, outD, outH, outW]
 * (torch.nn.AdaptiveMaxPool3d).
 */
public class AdaptiveMaxPool3d extends Module {
  private final int[] outputSize;
  private final boolean single;

  public AdaptiveMaxPool3d(int outputSize) {
    this.outputSize = new int[] {outputSize, outputSize, outputSize};
    this.single = true;
  }

  public AdaptiveMaxPool3d(int outD, int outH, int outW) {
    this.outputSize = new int[] {outD, outH, outW};
    this.single = false;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.adaptiveMaxPool3d(input, outputSize);
  }

  /** The maxima and where they are (return_indices=True). */
  public ValuesAndIndices forwardWithIndices(Tensor input) {
    return Pooling.adaptiveMaxPool3dWithIndices(input, outputSize);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + PyRepr.intOrTuple(outputSize, single);
  }
}
