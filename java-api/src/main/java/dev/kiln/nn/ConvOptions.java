package dev.kiln.nn;

import java.util.Arrays;

/**
 * The settings of the convolution layers, with PyTorch's names and defaults: stride 1, padding 0 (or "same" /
 * "valid"), dilation 1, groups 1, bias true, paddingMode "zeros" ("reflect", "replicate" or "circular" pad
 * the input first), outputPadding 0 (transposed convolutions only). An int applies to every spatial dim.
 *
 * <pre>{@code
 * Conv2d conv = new Conv2d(ConvOptions.of(1, 32, 3).padding(1));
 * Conv2d same = new Conv2d(ConvOptions.of(16, 16, 5).padding("same").paddingMode("reflect"));
 * }</pre>
 */
public final class ConvOptions {
  final int inChannels;
  final int outChannels;
  final int[] kernelSize;
  int[] stride = {1};
  int[] padding = {0};
  String paddingString;
  int[] dilation = {1};
  int[] outputPadding = {0};
  int groups = 1;
  boolean bias = true;
  String paddingMode = "zeros";

  private ConvOptions(int inChannels, int outChannels, int[] kernelSize) {
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize.clone();
  }

  /** These options with another in_channels (what a lazy convolution infers from its first input). */
  ConvOptions withInChannels(int in) {
    ConvOptions o = new ConvOptions(in, outChannels, kernelSize);
    o.stride = stride;
    o.padding = padding;
    o.paddingString = paddingString;
    o.dilation = dilation;
    o.outputPadding = outputPadding;
    o.groups = groups;
    o.bias = bias;
    o.paddingMode = paddingMode;
    return o;
  }

  /** kernelSize: one int for every dim, or one per dim. */
  public static ConvOptions of(int inChannels, int outChannels, int... kernelSize) {
    if (kernelSize.length == 0) throw new IllegalArgumentException("ConvOptions: a kernel size is needed");
    return new ConvOptions(inChannels, outChannels, kernelSize);
  }

  public ConvOptions stride(int... stride) {
    this.stride = stride.clone();
    return this;
  }

  public ConvOptions padding(int... padding) {
    this.padding = padding.clone();
    this.paddingString = null;
    return this;
  }

  /** "same" (output as large as the input; stride 1) or "valid" (no padding). */
  public ConvOptions padding(String padding) {
    if (!padding.equals("same") && !padding.equals("valid"))
      throw new IllegalArgumentException("Invalid padding string '" + padding + "', should be one of {'valid', 'same'}");
    this.paddingString = padding;
    this.padding = new int[] {0};
    return this;
  }

  public ConvOptions dilation(int... dilation) {
    this.dilation = dilation.clone();
    return this;
  }

  /** Transposed convolutions: extra size added to one side of the output. */
  public ConvOptions outputPadding(int... outputPadding) {
    this.outputPadding = outputPadding.clone();
    return this;
  }

  public ConvOptions groups(int groups) {
    this.groups = groups;
    return this;
  }

  public ConvOptions bias(boolean bias) {
    this.bias = bias;
    return this;
  }

  /** "zeros" (default), "reflect", "replicate" or "circular". */
  public ConvOptions paddingMode(String paddingMode) {
    if (!Arrays.asList("zeros", "reflect", "replicate", "circular").contains(paddingMode))
      throw new IllegalArgumentException("padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='" + paddingMode + "'");
    this.paddingMode = paddingMode;
    return this;
  }
}
