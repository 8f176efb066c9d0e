package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The mean over windows chosen so that [N, C, H, W] becomes [N, C, outH, outW] (torch.nn.AdaptiveAvgPool2d):
 * AdaptiveAvgPool2d(1) is global average pooling.
 */
public class AdaptiveAvgPool2d extends Module {
  private final int[] outputSize;
  private final boolean single;

  public AdaptiveAvgPool2d(int outputSize) {
    this.outputSize = new int[] {outputSize, outputSize};
    this.single = true;
  }

  public AdaptiveAvgPool2d(int outH, int outW) {
    this.outputSize = new int[] {outH, outW};
    this.single = false;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.adaptiveAvgPool2d(input, outputSize);
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + PyRepr.intOrTuple(outputSize, single);
  }
}
