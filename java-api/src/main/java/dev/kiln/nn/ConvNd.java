package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Convolutions;
import dev.kiln.nn.init.Init;

/**
 * What the convolution layers share (torch.nn.modules.conv._ConvNd): the weight [out, in / groups, kernel...]
 * ([in, out / groups, kernel...] when transposed) and bias [out], initialised as PyTorch does (kaiming-uniform
 * with a = sqrt(5), bias uniform in +-1/sqrt(fan_in)), padding modes, and the printed settings.
 */
public abstract class ConvNd extends Module {
  public final int inChannels;
  public final int outChannels;
  public final int groups;
  public final Tensor weight;
  public final Tensor bias;
  final int dims;
  final boolean transposed;
  final int[] kernelSize, stride, padding, dilation, outputPadding;
  final String paddingString, paddingMode;

  ConvNd(int dims, boolean transposed, ConvOptions o) {
    String name = getClass().getSimpleName();
    this.dims = dims;
    this.transposed = transposed;
    this.inChannels = o.inChannels;
    this.outChannels = o.outChannels;
    this.groups = o.groups;
    this.kernelSize = perDim(name, "kernel_size", o.kernelSize);
    this.stride = perDim(name, "stride", o.stride);
    this.padding = perDim(name, "padding", o.padding);
    this.dilation = perDim(name, "dilation", o.dilation);
    this.outputPadding = perDim(name, "output_padding", o.outputPadding);
    this.paddingString = o.paddingString;
    this.paddingMode = o.paddingMode;
    validate(name, dims, transposed, o);
    if (inChannels % groups != 0) throw new IllegalArgumentException(name + ": in_channels must be divisible by groups");
    long[] shape = new long[dims + 2];
    shape[0] = transposed ? inChannels : outChannels;
    shape[1] = (transposed ? outChannels : inChannels) / groups;
    for (int i = 0; i < dims; i++) shape[i + 2] = kernelSize[i];
    weight = registerParameter("weight", Tensor.empty(DType.FLOAT32, shape));
    bias = o.bias ? registerParameter("bias", Tensor.empty(DType.FLOAT32, outChannels)) : registerParameter("bias", null);
    resetParameters();
  }

  /** The checks that do not need in_channels (a lazy convolution makes them before it knows it). */
  static void validate(String name, int dims, boolean transposed, ConvOptions o) {
    if (o.groups <= 0) throw new IllegalArgumentException(name + ": groups must be a positive integer");
    if (o.outChannels % o.groups != 0)
      throw new IllegalArgumentException(name + ": out_channels must be divisible by groups");
    if ("same".equals(o.paddingString))
      for (int s : perDim(name, dims, "stride", o.stride))
        if (s != 1) throw new IllegalArgumentException(name + ": padding='same' is not supported for strided convolutions");
    if (transposed && !o.paddingMode.equals("zeros"))
      throw new IllegalArgumentException("Only \"zeros\" padding mode is supported for " + name);
    if (transposed && o.paddingString != null)
      throw new IllegalArgumentException(name + ": padding must be ints, not '" + o.paddingString + "'");
  }

  private int[] perDim(String name, String what, int[] values) {
    return perDim(name, dims, what, values);
  }

  static int[] perDim(String name, int dims, String what, int[] values) {
    if (values.length == 1) {
      int[] out = new int[dims];
      java.util.Arrays.fill(out, values[0]);
      return out;
    }
    if (values.length != dims) throw new IllegalArgumentException(name + ": " + what + " needs 1 or " + dims + " values, got " + values.length);
    return values.clone();
  }

  /** PyTorch's initialisation: weight kaiming-uniform (a = sqrt(5)), bias uniform in +-1/sqrt(fan_in). */
  public void resetParameters() {
    Init.kaimingUniform_(weight, Math.sqrt(5), "fan_in", "leaky_relu");
    if (bias != null) {
      long fanIn = weight.size(1);
      for (int k : kernelSize) fanIn *= k;
      if (fanIn != 0) {
        double bound = 1 / Math.sqrt(fanIn);
        Init.uniform_(bias, -bound, bound);
      }
    }
  }

  @Override
  public Tensor forward(Tensor input) {
    Tensor w = tensor("weight"), b = tensor("bias"); // the fields, or what parametrizations make of them
    if (transposed) return Convolutions.convTranspose(dims, input, w, b, stride, padding, outputPadding, groups, dilation);
    if (paddingMode.equals("zeros")) {
      return paddingString != null
          ? Convolutions.conv(dims, input, w, b, stride, paddingString, dilation, groups)
          : Convolutions.conv(dims, input, w, b, stride, padding, dilation, groups);
    }
    // Other modes pad the input explicitly (last dim first, as F.pad takes them), then convolve unpadded.
    long[] pad = new long[2 * dims];
    for (int i = 0; i < dims; i++) {
      int d = dims - 1 - i;
      long before = padding[d], after = padding[d];
      if ("same".equals(paddingString)) {
        long total = (long) dilation[d] * (kernelSize[d] - 1);
        before = total / 2;
        after = total - before;
      }
      pad[2 * i] = before;
      pad[2 * i + 1] = after;
    }
    return Convolutions.conv(dims, input.pad(pad, paddingMode), w, b, stride, new int[dims], dilation, groups);
  }

  @Override
  protected String extraRepr() {
    return repr(dims, inChannels, ConvOptions.of(inChannels, outChannels, kernelSize).stride(stride).padding(padding)
        .dilation(dilation).outputPadding(outputPadding).groups(groups).bias(bias != null).paddingMode(paddingMode),
        paddingString);
  }

  /** The settings as PyTorch prints them, with in_channels given (0 for a lazy convolution not yet called). */
  static String repr(int dims, int inChannels, ConvOptions o, String paddingString) {
    String name = "conv";
    int[] kernelSize = perDim(name, dims, "kernel_size", o.kernelSize), stride = perDim(name, dims, "stride", o.stride);
    int[] padding = perDim(name, dims, "padding", o.padding), dilation = perDim(name, dims, "dilation", o.dilation);
    int[] outputPadding = perDim(name, dims, "output_padding", o.outputPadding);
    StringBuilder s = new StringBuilder(inChannels + ", " + o.outChannels + ", kernel_size=" + PyRepr.tuple(kernelSize)
        + ", stride=" + PyRepr.tuple(stride));
    if (paddingString != null) s.append(", padding=").append(paddingString);
    else if (!allEqual(padding, 0)) s.append(", padding=").append(PyRepr.tuple(padding));
    if (!allEqual(dilation, 1)) s.append(", dilation=").append(PyRepr.tuple(dilation));
    if (!allEqual(outputPadding, 0)) s.append(", output_padding=").append(PyRepr.tuple(outputPadding));
    if (o.groups != 1) s.append(", groups=").append(o.groups);
    if (!o.bias) s.append(", bias=False");
    if (!o.paddingMode.equals("zeros")) s.append(", padding_mode=").append(o.paddingMode);
    return s.toString();
  }

  private static boolean allEqual(int[] values, int v) {
    for (int x : values) if (x != v) return false;
    return true;
  }
}
