package dev.kiln.parity;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.*;
import dev.kiln.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Padding, unfold/fold, upsampling, pixel shuffle, shrink/threshold activations, RReLU, fractional max pooling, the
 * lazy modules and the parameter containers for modules_extra.json, from PyTorch's keyword arguments.
 */
final class ExtraModuleMakers {
  private ExtraModuleMakers() {}

  static void register() {
    ModuleMakers.maker("Threshold", a -> new Threshold(a.real("threshold", 0), a.real("value", 0)));
    ModuleMakers.maker("Hardshrink", a -> new Hardshrink(a.real("lambd", 0.5)));
    ModuleMakers.maker("Softshrink", a -> new Softshrink(a.real("lambd", 0.5)));
    ModuleMakers.maker("Tanhshrink", a -> new Tanhshrink());

    for (int n = 1; n <= 3; n++) {
      int dims = n;
      ModuleMakers.maker("ConstantPad" + n + "d", a -> constantPad(dims, a.longs("padding"), a.real("value", 0)));
    }
    ModuleMakers.maker("ZeroPad2d", a -> new ZeroPad2d(a.longs("padding")));
    List<Function<long[], Module>> reflect = List.of(ReflectionPad1d::new, ReflectionPad2d::new, ReflectionPad3d::new);
    List<Function<long[], Module>> replicate =
        List.of(ReplicationPad1d::new, ReplicationPad2d::new, ReplicationPad3d::new);
    for (int n = 1; n <= 3; n++) {
      Function<long[], Module> r = reflect.get(n - 1), p = replicate.get(n - 1);
      ModuleMakers.maker("ReflectionPad" + n + "d", a -> r.apply(a.longs("padding")));
      ModuleMakers.maker("ReplicationPad" + n + "d", a -> p.apply(a.longs("padding")));
    }

    ModuleMakers.maker("Unfold", a -> new Unfold(ConvModuleMakers.ints(a, "kernel_size", 0),
        ConvModuleMakers.ints(a, "dilation", 1), ConvModuleMakers.ints(a, "padding", 0),
        ConvModuleMakers.ints(a, "stride", 1)));
    ModuleMakers.maker("Fold", a -> new Fold(ConvModuleMakers.ints(a, "output_size", 0),
        ConvModuleMakers.ints(a, "kernel_size", 0), ConvModuleMakers.ints(a, "dilation", 1),
        ConvModuleMakers.ints(a, "padding", 0), ConvModuleMakers.ints(a, "stride", 1)));

    ModuleMakers.maker("Upsample", a -> new Upsample(size(a), scales(a), a.text("mode", "nearest"),
        flag(a, "align_corners"), flag(a, "recompute_scale_factor")));
    ModuleMakers.maker("UpsamplingNearest2d", a -> new UpsamplingNearest2d(size(a), scales(a)));
    ModuleMakers.maker("UpsamplingBilinear2d", a -> new UpsamplingBilinear2d(size(a), scales(a)));

    ModuleMakers.maker("PixelShuffle", a -> new PixelShuffle(a.integer("upscale_factor", 0)));
    ModuleMakers.maker("PixelUnshuffle", a -> new PixelUnshuffle(a.integer("downscale_factor", 0)));
    ModuleMakers.maker("ChannelShuffle", a -> new ChannelShuffle(a.integer("groups", 0)));
    ModuleMakers.maker("LazyLinear", a -> new LazyLinear(a.integer("out_features", 0), a.bool("bias", true)));
    List<Function<ConvOptions, Module>> lazyConvs = List.of(LazyConv1d::new, LazyConv2d::new, LazyConv3d::new,
        LazyConvTranspose1d::new, LazyConvTranspose2d::new, LazyConvTranspose3d::new);
    for (int i = 0; i < 6; i++) {
      Function<ConvOptions, Module> make = lazyConvs.get(i);
      ModuleMakers.maker((i < 3 ? "LazyConv" : "LazyConvTranspose") + (i % 3 + 1) + "d", a -> make.apply(ConvOptions.of(0,
          a.integer("out_channels", 0), ConvModuleMakers.ints(a, "kernel_size", 0)).stride(ConvModuleMakers.ints(a,
          "stride", 1)).padding(ConvModuleMakers.ints(a, "padding", 0)).groups(a.integer("groups", 1))));
    }
    List<LazyNormMaker> lazyNorms = List.of(LazyBatchNorm1d::new, LazyBatchNorm2d::new, LazyBatchNorm3d::new,
        (e, m, a, t) -> new LazyInstanceNorm1d(e, m, a, t), (e, m, a, t) -> new LazyInstanceNorm2d(e, m, a, t),
        (e, m, a, t) -> new LazyInstanceNorm3d(e, m, a, t));
    for (int i = 0; i < 6; i++) {
      LazyNormMaker make = lazyNorms.get(i);
      ModuleMakers.maker((i < 3 ? "LazyBatchNorm" : "LazyInstanceNorm") + (i % 3 + 1) + "d", a -> make.make(
          a.real("eps", 1e-5), a.real("momentum", 0.1), a.bool("affine", true), a.bool("track_running_stats", true)));
    }
    ModuleMakers.maker("RReLU", a -> new RReLU(a.real("lower", 1.0 / 8), a.real("upper", 1.0 / 3)));
    // the fractions are a buffer of the shape given, filled by the state dict
    ModuleMakers.maker("FractionalMaxPool2d", a -> new FractionalMaxPool2d(ConvModuleMakers.pair(
        ConvModuleMakers.ints(a, "kernel_size", 0)), fractionalSize(a, 2), ratio(a, 2), samples(a), null));
    ModuleMakers.maker("FractionalMaxPool3d", a -> new FractionalMaxPool3d(ConvModuleMakers.triple(
        ConvModuleMakers.ints(a, "kernel_size", 0)), fractionalSize(a, 3), ratio(a, 3), samples(a), null));

    ModuleMakers.maker("ParameterList", a -> {
      List<Tensor> ps = new ArrayList<>();
      for (JsonElement s : a.json().getAsJsonArray("shapes")) ps.add(Tensor.zeros(DType.FLOAT32, shape(s)));
      return new ParameterList(ps);
    });
    ModuleMakers.call("ParameterList", (m, in) -> {
      ParameterList p = (ParameterList) m;
      return List.of(in.get(0).mul(p.get(1)).mul(p.get(-1)).add(p.get(0)));
    });
    ModuleMakers.maker("ParameterDict", a -> {
      Map<String, Tensor> ps = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : a.json().getAsJsonObject("shapes").entrySet())
        ps.put(e.getKey(), Tensor.zeros(DType.FLOAT32, shape(e.getValue())));
      return new ParameterDict(ps);
    });
    ModuleMakers.call("ParameterDict", (m, in) -> {
      ParameterDict p = (ParameterDict) m;
      return List.of(in.get(0).mul(p.get("weight")).add(p.get("bias")));
    });
  }

  private static Module constantPad(int dims, long[] padding, double value) {
    return switch (dims) {
      case 1 -> new ConstantPad1d(padding, value);
      case 2 -> new ConstantPad2d(padding, value);
      default -> new ConstantPad3d(padding, value);
    };
  }

  private static long[] size(ModuleMakers.Kwargs a) {
    return a.json().has("size") ? a.longs("size") : null;
  }

  private static double[] scales(ModuleMakers.Kwargs a) {
    JsonElement e = a.json().get("scale_factor");
    if (e == null) return null;
    if (e.isJsonPrimitive()) return new double[] {e.getAsDouble()};
    double[] out = new double[e.getAsJsonArray().size()];
    for (int i = 0; i < out.length; i++) out[i] = e.getAsJsonArray().get(i).getAsDouble();
    return out;
  }

  private static Boolean flag(ModuleMakers.Kwargs a, String name) {
    JsonObject j = a.json();
    return j.has(name) && !j.get(name).isJsonNull() ? j.get(name).getAsBoolean() : null;
  }

  private static long[] shape(JsonElement e) {
    long[] out = new long[e.getAsJsonArray().size()];
    for (int i = 0; i < out.length; i++) out[i] = e.getAsJsonArray().get(i).getAsLong();
    return out;
  }

  private static int[] fractionalSize(ModuleMakers.Kwargs a, int dims) {
    if (!a.json().has("output_size")) return null;
    int[] v = ConvModuleMakers.ints(a, "output_size", 0);
    return dims == 2 ? ConvModuleMakers.pair(v) : ConvModuleMakers.triple(v);
  }

  private static double[] ratio(ModuleMakers.Kwargs a, int dims) {
    JsonElement e = a.json().get("output_ratio");
    if (e == null) return null;
    double[] out = new double[dims];
    for (int i = 0; i < dims; i++) out[i] = (e.isJsonArray() ? e.getAsJsonArray().get(i) : e).getAsDouble();
    return out;
  }

  private static Tensor samples(ModuleMakers.Kwargs a) {
    return Tensor.zeros(DType.FLOAT32, a.longs("samples"));
  }

  private interface LazyNormMaker {
    Module make(double eps, Double momentum, boolean affine, boolean trackRunningStats);
  }
}
