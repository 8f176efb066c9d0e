package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.nn.functional.Convolutions;

/** gradcheck samples: convolutions, their weight-gradient row, unfold and fold. */
final class ConvGradSamples {
  private ConvGradSamples() {}

  private static final int CONVOLUTION = Core.op("convolution"), WEIGHT_GRAD = Core.op("convolution_backward_weight");

  /** The convolution row itself: ints [nd, stride, pad_lo, pad_hi, dilation, transposed, output_padding, groups]. */
  static Tensor row(int op, long[] ints, Tensor... in) {
    long[] h = new long[in.length];
    for (int i = 0; i < in.length; i++) h[i] = in[i].handle();
    return Tensor.adopt(Core.call(op, Frame.of(h, ints)));
  }

  static void register(GradSamples s) {
    s.sample("convolution", "asymmetric padding, dilation, groups", in -> of(row(CONVOLUTION,
        new long[] {2, 2, 1, 1, 0, 0, 1, 1, 2, 0, 0, 0, 2}, in[0], in[1], in[2])),
        () -> of(randn(2, 4, 5, 5), randn(2, 2, 2, 3), randn(2)));
    s.sample("convolution", "transposed, output_padding past the stride", in -> of(row(CONVOLUTION,
        new long[] {1, 1, 1, 1, 2, 1, 1, 1}, in[0], in[1])), () -> of(randn(1, 2, 4), randn(2, 3, 2)));
    s.sample("convolution_backward_weight", "", in -> of(row(WEIGHT_GRAD,
        new long[] {1, 2, 1, 1, 1, 0, 0, 1, 3}, in[0], in[1])), () -> of(randn(2, 2, 6), randn(2, 3, 3)));
    s.sample("convolution_backward_weight", "2-D groups", in -> of(row(WEIGHT_GRAD,
        new long[] {2, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2}, in[0], in[1])),
        () -> of(randn(1, 4, 4, 4), randn(1, 2, 3, 4)));
    s.sample("conv1d", "stride and padding", in -> of(Convolutions.conv1d(in[0], in[1], in[2], 2, 1, 1, 1)),
        () -> of(randn(2, 2, 5), randn(3, 2, 3), randn(3)));
    s.sample("conv1d", "same, dilated", in -> of(Convolutions.conv1d(in[0], in[1], null, 1, "same", 2, 1)),
        () -> of(randn(1, 2, 6), randn(2, 2, 2)));
    s.sample("conv2d", "bias", in -> of(Convolutions.conv2d(in[0], in[1], in[2], 1, 1, 1, 1)),
        () -> of(randn(1, 2, 4, 4), randn(2, 2, 3, 3), randn(2)));
    s.sample("conv2d", "stride, dilation, groups", in -> of(Convolutions.conv2d(in[0], in[1], null,
        new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2)), () -> of(randn(2, 4, 5, 5), randn(4, 2, 2, 2)));
    s.sample("conv2d", "depthwise", in -> of(Convolutions.conv2d(in[0], in[1], in[2], 1, 1, 1, 2)),
        () -> of(randn(1, 2, 4, 4), randn(4, 1, 3, 3), randn(4)));
    s.sample("conv2d", "same with an even kernel", in -> of(Convolutions.conv2d(in[0], in[1], null,
        new int[] {1, 1}, "same", new int[] {1, 1}, 1)), () -> of(randn(1, 2, 4, 5), randn(2, 2, 2, 3)));
    s.sample("conv2d", "unbatched, 1x1", in -> of(Convolutions.conv2d(in[0], in[1])),
        () -> of(randn(3, 3, 2), randn(2, 3, 1, 1)));
    s.sample("conv3d", "", in -> of(Convolutions.conv3d(in[0], in[1], in[2], 1, 1, 1, 1)),
        () -> of(randn(1, 2, 3, 3, 2), randn(2, 2, 2, 2, 2), randn(2)));
    s.sample("conv_transpose1d", "dilation, output_padding", in -> of(Convolutions.convTranspose1d(in[0], in[1],
        in[2], 1, 0, 1, 1, 2)), () -> of(randn(2, 2, 4), randn(2, 3, 3), randn(3)));
    s.sample("conv_transpose2d", "stride, padding, output_padding, groups", in -> of(Convolutions.convTranspose2d(
        in[0], in[1], in[2], new int[] {2, 2}, new int[] {1, 0}, new int[] {1, 0}, 2, new int[] {1, 1})),
        () -> of(randn(1, 4, 3, 3), randn(4, 1, 3, 2), randn(2)));
    s.sample("conv_transpose3d", "", in -> of(Convolutions.convTranspose3d(in[0], in[1], null, 2, 0, 1, 1, 1)),
        () -> of(randn(1, 2, 2, 2, 2), randn(2, 1, 2, 2, 2)));
    s.sample("im2col", "", in -> of(Convolutions.unfold(in[0], new int[] {2, 3}, new int[] {1, 2},
        new int[] {1, 0}, new int[] {2, 1})), () -> of(randn(2, 2, 4, 5)));
    s.sample("col2im", "", in -> of(Convolutions.fold(in[0], new int[] {4, 5}, new int[] {2, 2},
        new int[] {1, 1}, new int[] {1, 0}, new int[] {1, 2})), () -> of(randn(2, 8, 10)));
  }
}
