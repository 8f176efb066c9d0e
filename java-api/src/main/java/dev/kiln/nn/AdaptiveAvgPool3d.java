package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The mean over windows chosen so that [N, C, D, H, W] becomes [N, C, outD, outH, outW]
 * (torch.nn.AdaptiveAvgPool3d): AdaptiveAvgPool3d(1) is global average pooling over the volume.
 */
public class AdaptiveAvgPool3d extends Module {
  private final int[] outputSize;
  private final boolean single;

  public AdaptiveAvgPool3d(int outputSize) {
    this.outputSize = new int[] {outputSize, outputSize, outputSize};
    this.single = true;
  }

  public AdaptiveAvgPool3d(int outD, int outH, int outW) {
    this.outputSize = new int[] {outD, outH, outW};
    this.single = false;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.adaptiveAvgPool3d(input, outputSize);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + PyRepr.intOrTuple(outputSize, single);
  }
}
