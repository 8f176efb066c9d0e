package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.awayFromZero;
import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.positive;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.nn.functional.Pooling;
import dev.kiln.nn.functional.Sampling;

/** gradcheck samples: pooling, upsampling and their backward rows (max pooling on distinct values). */
final class PoolGradSamples {
  private PoolGradSamples() {}

  /**
   * A grid [n, h, w, 2] whose positions stay clear of pixel boundaries by a margin (bilinear weights are kinks
   * there): random pixel positions of a 3 x 4 input moved 0.3-0.7 into a cell, in normalized coordinates.
   */
  private static Tensor offGrid(int n, int h, int w) {
    java.util.Random r = new java.util.Random(5);
    double[] v = new double[n * h * w * 2];
    for (int i = 0; i < v.length; i += 2) {
      double px = r.nextInt(5) - 1 + 0.3 + 0.4 * r.nextDouble(), py = r.nextInt(4) - 1 + 0.3 + 0.4 * r.nextDouble();
      v[i] = (2 * px + 1) / 4 - 1;  // x: pixel px of 4 columns, align_corners false
      v[i + 1] = (2 * py + 1) / 3 - 1;
    }
    return Tensor.of(v, n, h, w, 2).to(dev.kiln.DType.FLOAT64).requiresGrad(true);
  }

  /** A grid [1, 2, 2, 2, 3] into a [2, 3, 4] volume (D, H, W), its positions off the voxel boundaries as offGrid's. */
  private static Tensor offVolumeGrid() {
    java.util.Random r = new java.util.Random(6);
    int[] sizes = {4, 3, 2};  // along x, y, z
    double[] v = new double[8 * 3];
    for (int i = 0; i < v.length; i++) {
      int size = sizes[i % 3];
      double p = r.nextInt(size + 1) - 1 + 0.3 + 0.4 * r.nextDouble();
      v[i] = (2 * p + 1) / size - 1;
    }
    return Tensor.of(v, 1, 2, 2, 2, 3).requiresGrad(true);
  }

  /** The indices of a 2x2 max pool of an ascending [1, 2, 2 h, 2 w] tensor: each window's bottom-right corner. */
  private static Tensor poolIndices(int h, int w) {
    return Pooling.maxPool2dWithIndices(Tensor.arange(8L * h * w).reshape(1, 2, 2 * h, 2 * w).to(dev.kiln.DType.FLOAT64),
        2).indices();
  }

  private static Tensor row(String op, long[] ints, double[] reals, Tensor... in) {
    long[] h = new long[in.length];
    for (int i = 0; i < in.length; i++) h[i] = in[i].handle();
    return Tensor.adopt(Core.call(Core.op(op), Frame.of(h, ints, reals)));
  }

  /** Indices of a 3x3, stride 2, padding 1 max pool over a 1x2x5x5 input (no gradient). */
  private static Tensor poolIndices() {
    double[] v = new double[50];
    for (int i = 0; i < v.length; i++) v[i] = (i * 7) % 11 + i * 0.01;
    Tensor x = Tensor.of(v, 1, 2, 5, 5);
    return Pooling.maxPool2dWithIndices(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1},
        false).indices();
  }

  static void register(GradSamples s) {
    s.sample("max_pool2d_with_indices", "padding, stride", in -> of(Pooling.maxPool2dWithIndices(in[0],
        new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, false).values()),
        () -> of(awayFromZero(1, 2, 5, 5)));
    s.sample("max_pool2d", "dilation, ceil_mode", in -> of(Pooling.maxPool2d(in[0], new int[] {2, 2}, null,
        new int[] {1, 0}, new int[] {2, 1}, true)), () -> of(awayFromZero(1, 2, 5, 6)));
    s.sample("max_pool1d", "", in -> of(Pooling.maxPool1d(in[0], 2)), () -> of(awayFromZero(2, 2, 6)));
    s.sample("max_pool1d_with_indices", "", in -> of(Pooling.maxPool1dWithIndices(in[0], 3, 2, 1, 1, true).values()),
        () -> of(awayFromZero(2, 6)));
    s.sample("max_pool2d_with_indices_backward", "", in -> of(row("max_pool2d_with_indices_backward",
        new long[] {5, 5}, new double[0], in[0], in[1])), () -> of(randn(1, 2, 3, 3), poolIndices()));
    s.sample("avg_pool2d", "ceil_mode, padding excluded", in -> of(Pooling.avgPool2d(in[0], new int[] {3, 2},
        new int[] {2, 2}, new int[] {1, 1}, true, false, null)), () -> of(randn(1, 2, 5, 5)));
    s.sample("avg_pool2d", "divisor_override", in -> of(Pooling.avgPool2d(in[0], new int[] {2, 2}, null,
        new int[] {0, 0}, false, true, 3)), () -> of(randn(2, 4, 4)));
    s.sample("avg_pool2d_backward", "", in -> of(row("avg_pool2d_backward",
        new long[] {3, 3, 2, 2, 1, 1, 0, 1, 0, 0, 5, 5}, new double[0], in[0])), () -> of(randn(1, 2, 3, 3)));
    s.sample("lp_pool1d", "p 2", in -> of(Pooling.lpPool1d(in[0], 2.0, 3, 2, false)), () -> of(randn(2, 2, 7)));
    s.sample("lp_pool2d", "p 3, ceil_mode", in -> of(Pooling.lpPool2d(in[0], 3.0, new int[] {2, 2}, new int[] {2, 1},
        true)), () -> of(positive(0.2, 1, 2, 5, 5)));
    s.sample("lp_pool3d", "p 1.5", in -> of(Pooling.lpPool3d(in[0], 1.5, new int[] {1, 2, 2}, null, false)),
        () -> of(positive(0.2, 1, 2, 2, 4, 4)));
    s.sample("avg_pool1d", "", in -> of(Pooling.avgPool1d(in[0], 3, 2, 1, false, false)), () -> of(randn(2, 2, 6)));
    s.sample("adaptive_avg_pool2d", "", in -> of(Pooling.adaptiveAvgPool2d(in[0], new int[] {3, 2})),
        () -> of(randn(1, 2, 5, 5)));
    s.sample("adaptive_avg_pool2d_backward", "", in -> of(row("adaptive_avg_pool2d_backward", new long[] {5, 4},
        new double[0], in[0])), () -> of(randn(1, 2, 3, 3)));
    s.sample("adaptive_avg_pool1d", "", in -> of(Pooling.adaptiveAvgPool1d(in[0], 3)), () -> of(randn(2, 7)));
    s.sample("adaptive_max_pool2d", "", in -> of(Pooling.adaptiveMaxPool2d(in[0], new int[] {2, 3})),
        () -> of(awayFromZero(1, 2, 5, 5)));
    s.sample("adaptive_max_pool1d", "", in -> of(Pooling.adaptiveMaxPool1d(in[0], 3)), () -> of(awayFromZero(2, 2, 7)));
    s.sample("upsample_nearest2d", "", in -> of(Sampling.interpolate(in[0], new long[] {5, 4}, "nearest")),
        () -> of(randn(1, 2, 3, 3)));
    s.sample("upsample_nearest2d_backward", "", in -> of(row("upsample_nearest2d_backward", new long[] {3, 3},
        new double[] {0, 0}, in[0])), () -> of(randn(1, 2, 5, 4)));
    s.sample("upsample_bilinear2d", "", in -> of(Sampling.interpolate(in[0], new long[] {5, 4}, "bilinear"),
        Sampling.interpolate(in[0], new long[] {4, 5}, "bilinear", true)), () -> of(randn(1, 2, 3, 3)));
    s.sample("upsample_bilinear2d_backward", "", in -> of(row("upsample_bilinear2d_backward", new long[] {3, 3, 0},
        new double[] {0, 0}, in[0])), () -> of(randn(1, 2, 5, 4)));
    s.sample("max_pool3d_with_indices", "", in -> of(Pooling.maxPool3dWithIndices(in[0], new int[] {2, 2, 2},
        new int[] {1, 2, 1}, new int[] {1, 0, 1}, new int[] {1, 1, 1}, false).values()),
        () -> of(awayFromZero(1, 2, 3, 4, 3)));
    s.sample("max_pool3d", "", in -> of(Pooling.maxPool3d(in[0], 2)), () -> of(awayFromZero(1, 2, 4, 4, 4)));
    s.sample("avg_pool3d", "", in -> of(Pooling.avgPool3d(in[0], new int[] {2, 3, 2}, new int[] {1, 2, 2},
        new int[] {1, 1, 0}, true, false, null)), () -> of(randn(1, 2, 3, 5, 4)));
    s.sample("avg_pool3d_backward", "", in -> of(row("avg_pool3d_backward", new long[] {2, 2, 2, 2, 2, 2, 0, 0, 0, 0,
        1, 0, 0, 4, 4, 5}, new double[0], in[0])), () -> of(randn(1, 2, 2, 2, 2)));
    s.sample("adaptive_avg_pool3d", "", in -> of(Pooling.adaptiveAvgPool3d(in[0], new int[] {2, 3, 2})),
        () -> of(randn(1, 2, 3, 5, 4)));
    s.sample("adaptive_avg_pool3d_backward", "", in -> of(row("adaptive_avg_pool3d_backward", new long[] {3, 4, 5},
        new double[0], in[0])), () -> of(randn(1, 2, 2, 3, 2)));
    s.sample("adaptive_max_pool3d", "", in -> of(Pooling.adaptiveMaxPool3d(in[0], new int[] {2, 2, 3})),
        () -> of(awayFromZero(1, 2, 3, 4, 5)));
    s.sample("fractional_max_pool2d", "overlapping windows", in -> of(Pooling.fractionalMaxPool2d(in[0],
        new int[] {3, 2}, new int[] {4, 5}, null, Tensor.rand(new Generator(3), DType.FLOAT64, 1, 2, 2), null)),
        () -> of(awayFromZero(1, 2, 7, 6)));
    s.sample("fractional_max_pool3d", "", in -> of(Pooling.fractionalMaxPool3d(in[0], new int[] {2, 2, 2},
        new int[] {2, 3, 2}, null, Tensor.rand(new Generator(4), DType.FLOAT64, 1, 2, 3), null)),
        () -> of(awayFromZero(1, 2, 4, 5, 4)));
    s.sample("max_unpool1d", "", in -> of(Pooling.maxUnpool1d(in[0], Pooling.maxPool1dWithIndices(
        Tensor.arange(24).reshape(1, 2, 12).to(dev.kiln.DType.FLOAT64), 2, 2, 0, 1, false).indices(), 2, 2, 0, null)),
        () -> of(randn(1, 2, 6)));
    s.sample("max_unpool2d", "", in -> of(Pooling.maxUnpool2d(in[0], poolIndices(2, 3), 2)),
        () -> of(randn(1, 2, 2, 3)));
    s.sample("max_unpool3d", "", in -> of(Pooling.maxUnpool3d(in[0], poolIndices(2, 3).unsqueeze(2),
        new int[] {1, 2, 2}, null, new int[] {0, 0, 0}, null)), () -> of(randn(1, 2, 1, 2, 3)));
    Tensor unpoolIndices = Tensor.of(new long[] {0, 3, 5, 7, 2, 1}).view(2, 3);
    s.sample("_max_unpool", "two planes of 8", in -> NormGradSamples.op("_max_unpool",
        new Tensor[] {in[0], unpoolIndices}, new long[] {1, 8}), () -> of(randn(2, 3)));
    s.sample("grid_sample", "bilinear with each padding, nearest", in -> of(
        Sampling.gridSample(in[0], in[1]), Sampling.gridSample(in[0], in[1], "bilinear", "border", false),
        Sampling.gridSample(in[0], in[1], "bilinear", "reflection", false),
        Sampling.gridSample(in[0], in[1].detach(), "nearest", "zeros", false)),
        () -> of(randn(1, 2, 3, 4), offGrid(1, 2, 3)));
    s.sample("grid_sample", "bicubic with each padding", in -> of(
        Sampling.gridSample(in[0], in[1], "bicubic", "zeros", false),
        Sampling.gridSample(in[0], in[1], "bicubic", "border", true),
        Sampling.gridSample(in[0], in[1], "bicubic", "reflection", false)),
        () -> of(randn(1, 2, 3, 4), offGrid(1, 2, 3)));
    s.sample("grid_sample", "5-D: trilinear with each padding, nearest", in -> of(
        Sampling.gridSample(in[0], in[1]), Sampling.gridSample(in[0], in[1], "bilinear", "border", true),
        Sampling.gridSample(in[0], in[1], "bilinear", "reflection", false),
        Sampling.gridSample(in[0], in[1].detach(), "nearest", "zeros", false)),
        () -> of(randn(1, 2, 2, 3, 4), offVolumeGrid()));
    s.sample("affine_grid", "", in -> of(Sampling.affineGrid(in[0], new long[] {2, 1, 3, 4}, false)),
        () -> of(randn(2, 2, 3)));
    s.sample("affine_grid", "3-D", in -> of(Sampling.affineGrid(in[0], new long[] {2, 1, 2, 3, 4}, true)),
        () -> of(randn(2, 3, 4)));
    s.sample("upsample_nearest3d", "nearest and nearest-exact", in -> of(Sampling.interpolate(in[0],
        new long[] {3, 5, 2}, "nearest"), Sampling.interpolate(in[0], new double[] {1.5, 0.7, 2}, "nearest-exact")),
        () -> of(randn(1, 2, 2, 3, 3)));
    s.sample("upsample_nearest3d_backward", "", in -> of(row("upsample_nearest3d_backward", new long[] {2, 3, 3, 1},
        new double[] {0, 0, 0}, in[0])), () -> of(randn(1, 2, 3, 5, 2)));
    s.sample("upsample_trilinear3d", "", in -> of(Sampling.interpolate(in[0], new long[] {3, 5, 2}, "trilinear"),
        Sampling.interpolate(in[0], new long[] {2, 4, 4}, "trilinear", true)), () -> of(randn(1, 2, 2, 3, 3)));
    s.sample("upsample_trilinear3d_backward", "", in -> of(row("upsample_trilinear3d_backward",
        new long[] {2, 3, 3, 0}, new double[] {0, 0, 0}, in[0])), () -> of(randn(1, 2, 3, 5, 2)));
    s.sample("upsample_bicubic2d", "", in -> of(Sampling.interpolate(in[0], new long[] {5, 4}, "bicubic"),
        Sampling.interpolate(in[0], new long[] {2, 6}, "bicubic", true)), () -> of(randn(1, 2, 3, 4)));
    s.sample("upsample_bicubic2d_backward", "", in -> of(row("upsample_bicubic2d_backward", new long[] {3, 4, 1},
        new double[] {0, 0}, in[0])), () -> of(randn(1, 2, 5, 6)));
    s.sample("interpolate", "scale factors, 1-D linear, area", in -> of(Sampling.interpolate(in[0],
        new double[] {1.5, 2}, "nearest"), Sampling.interpolate(in[1], new double[] {1.7}, "linear", false, null),
        Sampling.interpolate(in[0], new long[] {2, 2}, "area")), () -> of(randn(1, 2, 3, 3), randn(2, 2, 4)));
  }
}
