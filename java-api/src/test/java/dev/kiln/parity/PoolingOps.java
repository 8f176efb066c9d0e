package dev.kiln.parity;

import static dev.kiln.parity.ConvOps.perDim;

import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;
import dev.kiln.nn.functional.Sampling;
import java.util.List;

/** Parity mapping: pooling and interpolate (torch.nn.functional's arguments, with its defaults). */
final class PoolingOps {
  private PoolingOps() {}

  static void register(OpMap m) {
    m.on("max_pool2d", (x, a) -> {
      int[] k = perDim(a, "kernel_size", 0, 2);
      int[] s = a.has("stride") ? perDim(a, "stride", 0, 2) : null;
      int[] p = perDim(a, "padding", 0, 2), d = perDim(a, "dilation", 1, 2);
      boolean ceil = a.bool("ceil_mode", false);
      return a.bool("return_indices", false) ? Pooling.maxPool2dWithIndices(x.get(0), k, s, p, d, ceil)
          : Pooling.maxPool2d(x.get(0), k, s, p, d, ceil);
    });
    m.on("max_pool1d", (x, a) -> {
      int k = a.integer("kernel_size"), s = a.has("stride") ? a.integer("stride") : 0;
      int p = a.has("padding") ? a.integer("padding") : 0, d = a.has("dilation") ? a.integer("dilation") : 1;
      boolean ceil = a.bool("ceil_mode", false);
      return a.bool("return_indices", false) ? Pooling.maxPool1dWithIndices(x.get(0), k, s, p, d, ceil)
          : Pooling.maxPool1d(x.get(0), k, s, p, d, ceil);
    });
    m.on("avg_pool2d", (x, a) -> Pooling.avgPool2d(x.get(0), perDim(a, "kernel_size", 0, 2),
        a.has("stride") ? perDim(a, "stride", 0, 2) : null, perDim(a, "padding", 0, 2), a.bool("ceil_mode", false),
        a.bool("count_include_pad", true), a.has("divisor_override") ? a.integer("divisor_override") : null));
    m.on("avg_pool1d", (x, a) -> Pooling.avgPool1d(x.get(0), a.integer("kernel_size"),
        a.has("stride") ? a.integer("stride") : 0, a.has("padding") ? a.integer("padding") : 0,
        a.bool("ceil_mode", false), a.bool("count_include_pad", true)));
    m.on("adaptive_avg_pool2d", (x, a) -> Pooling.adaptiveAvgPool2d(x.get(0), perDim(a, "output_size", 0, 2)));
    m.on("adaptive_avg_pool1d", (x, a) -> Pooling.adaptiveAvgPool1d(x.get(0), a.integer("output_size")));
    m.on("adaptive_max_pool2d", (x, a) -> a.bool("return_indices", false)
        ? Pooling.adaptiveMaxPool2dWithIndices(x.get(0), perDim(a, "output_size", 0, 2))
        : Pooling.adaptiveMaxPool2d(x.get(0), perDim(a, "output_size", 0, 2)));
    m.on("adaptive_max_pool1d", (x, a) -> a.bool("return_indices", false)
        ? Pooling.adaptiveMaxPool1dWithIndices(x.get(0), a.integer("output_size"))
        : Pooling.adaptiveMaxPool1d(x.get(0), a.integer("output_size")));
    m.on("max_pool3d", (x, a) -> {
      int[] k = perDim(a, "kernel_size", 0, 3);
      int[] s = a.has("stride") ? perDim(a, "stride", 0, 3) : null;
      int[] p = perDim(a, "padding", 0, 3), d = perDim(a, "dilation", 1, 3);
      boolean ceil = a.bool("ceil_mode", false);
      return a.bool("return_indices", false) ? Pooling.maxPool3dWithIndices(x.get(0), k, s, p, d, ceil)
          : Pooling.maxPool3d(x.get(0), k, s, p, d, ceil);
    });
    m.on("avg_pool3d", (x, a) -> Pooling.avgPool3d(x.get(0), perDim(a, "kernel_size", 0, 3),
        a.has("stride") ? perDim(a, "stride", 0, 3) : null, perDim(a, "padding", 0, 3), a.bool("ceil_mode", false),
        a.bool("count_include_pad", true), a.has("divisor_override") ? a.integer("divisor_override") : null));
    m.on("adaptive_avg_pool3d", (x, a) -> Pooling.adaptiveAvgPool3d(x.get(0), perDim(a, "output_size", 0, 3)));
    m.on("adaptive_max_pool3d", (x, a) -> a.bool("return_indices", false)
        ? Pooling.adaptiveMaxPool3dWithIndices(x.get(0), perDim(a, "output_size", 0, 3))
        : Pooling.adaptiveMaxPool3d(x.get(0), perDim(a, "output_size", 0, 3)));
    m.on("max_unpool1d", (x, a) -> Pooling.maxUnpool1d(x.get(0), x.get(1), a.integer("kernel_size"),
        a.has("stride") ? a.integer("stride") : 0, a.has("padding") ? a.integer("padding") : 0,
        a.has("output_size") ? a.longs("output_size") : null));
    m.on("max_unpool2d", (x, a) -> Pooling.maxUnpool2d(x.get(0), x.get(1), perDim(a, "kernel_size", 0, 2),
        a.has("stride") ? perDim(a, "stride", 0, 2) : null, perDim(a, "padding", 0, 2),
        a.has("output_size") ? a.longs("output_size") : null));
    m.on("max_unpool3d", (x, a) -> Pooling.maxUnpool3d(x.get(0), x.get(1), perDim(a, "kernel_size", 0, 3),
        a.has("stride") ? perDim(a, "stride", 0, 3) : null, perDim(a, "padding", 0, 3),
        a.has("output_size") ? a.longs("output_size") : null));
    m.on("lp_pool1d", (x, a) -> Pooling.lpPool1d(x.get(0), a.number("norm_type"), a.integer("kernel_size"),
        a.has("stride") ? a.integer("stride") : 0, a.bool("ceil_mode", false)));
    m.on("lp_pool2d", (x, a) -> Pooling.lpPool2d(x.get(0), a.number("norm_type"), perDim(a, "kernel_size", 0, 2),
        a.has("stride") ? perDim(a, "stride", 0, 2) : null, a.bool("ceil_mode", false)));
    m.on("fractional_max_pool2d", (x, a) -> fractional(x, a, 2));
    m.on("fractional_max_pool3d", (x, a) -> fractional(x, a, 3));
    m.on("lp_pool3d", (x, a) -> Pooling.lpPool3d(x.get(0), a.number("norm_type"), perDim(a, "kernel_size", 0, 3),
        a.has("stride") ? perDim(a, "stride", 0, 3) : null, a.bool("ceil_mode", false)));
    m.on("grid_sample", (x, a) -> Sampling.gridSample(x.get(0), x.get(1), a.has("mode") ? a.string("mode") : "bilinear",
        a.has("padding_mode") ? a.string("padding_mode") : "zeros", a.bool("align_corners", false)));
    m.on("affine_grid", (x, a) -> Sampling.affineGrid(x.get(0), a.longs("size"), a.bool("align_corners", false)));
    m.on("interpolate", (x, a) -> {
      String mode = a.has("mode") ? a.string("mode") : "nearest";
      Boolean align = a.has("align_corners") ? a.bool("align_corners", false) : null;
      Boolean recompute = a.has("recompute_scale_factor") ? a.bool("recompute_scale_factor", false) : null;
      if (a.has("size")) return Sampling.interpolate(x.get(0), a.longs("size"), mode, align);
      return Sampling.interpolate(x.get(0), a.doubles("scale_factor"), mode, align, recompute);
    });
  }

  /** F.fractional_max_pool2d/3d with the fractions given (x[1]), by output_size or output_ratio. */
  private static Object fractional(List<Tensor> x, Fixtures.Args a, int nd) {
    int[] k = perDim(a, "kernel_size", 0, nd), size = a.has("output_size") ? perDim(a, "output_size", 0, nd) : null;
    double[] ratio = a.has("output_ratio") ? a.doubles("output_ratio") : null;
    ValuesAndIndices r = nd == 2
        ? Pooling.fractionalMaxPool2dWithIndices(x.get(0), k, size, ratio, x.get(1), null)
        : Pooling.fractionalMaxPool3dWithIndices(x.get(0), k, size, ratio, x.get(1), null);
    if (a.bool("return_indices", false)) return r;
    r.indices().close();
    return r.values();
  }
}
