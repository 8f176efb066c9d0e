package dev.kiln.parity;

import com.google.gson.JsonElement;
import dev.kiln.nn.*;
import dev.kiln.nn.Module;
import java.util.List;
import java.util.function.Function;

/** Convolution, pooling and bilinear layers for modules_conv.json, from PyTorch's keyword arguments. */
final class ConvModuleMakers {
  private ConvModuleMakers() {}

  /** An int-or-tuple argument as per-dim ints (an int stays one value: the layers repeat it). */
  static int[] ints(ModuleMakers.Kwargs a, String name, int otherwise) {
    if (!a.json().has(name)) return new int[] {otherwise};
    long[] l = a.longs(name);
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) out[i] = (int) l[i];
    return out;
  }

  static boolean isTuple(ModuleMakers.Kwargs a, String name) {
    JsonElement e = a.json().get(name);
    return e != null && e.isJsonArray();
  }

  static ConvOptions options(ModuleMakers.Kwargs a) {
    ConvOptions o = ConvOptions.of(a.integer("in_channels", 0), a.integer("out_channels", 0), ints(a, "kernel_size", 0))
        .stride(ints(a, "stride", 1)).dilation(ints(a, "dilation", 1)).groups(a.integer("groups", 1))
        .bias(a.bool("bias", true)).paddingMode(a.text("padding_mode", "zeros")).outputPadding(ints(a, "output_padding", 0));
    JsonElement p = a.json().get("padding");
    if (p != null && p.isJsonPrimitive() && p.getAsJsonPrimitive().isString()) return o.padding(p.getAsString());
    return o.padding(ints(a, "padding", 0));
  }

  static int[] pair(int[] v) {
    return v.length == 1 ? new int[] {v[0], v[0]} : v;
  }

  static int[] triple(int[] v) {
    return v.length == 1 ? new int[] {v[0], v[0], v[0]} : v;
  }

  static void register() {
    List<String> convs = List.of("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d");
    List<Function<ConvOptions, Module>> ctors = List.of(Conv1d::new, Conv2d::new, Conv3d::new, ConvTranspose1d::new,
        ConvTranspose2d::new, ConvTranspose3d::new);
    for (int i = 0; i < convs.size(); i++) {
      Function<ConvOptions, Module> ctor = ctors.get(i);
      ModuleMakers.maker(convs.get(i), a -> ctor.apply(options(a)));
    }
    ModuleMakers.maker("MaxPool1d", a -> {
      int k = a.integer("kernel_size", 0);
      return new MaxPool1d(k, a.integer("stride", k), a.integer("padding", 0), a.integer("dilation", 1), a.bool("ceil_mode", false));
    });
    ModuleMakers.maker("MaxPool2d", a -> {
      if (!isTuple(a, "kernel_size")) {
        int k = a.integer("kernel_size", 0);
        return new MaxPool2d(k, a.integer("stride", k), a.integer("padding", 0));
      }
      return new MaxPool2d(ints(a, "kernel_size", 0), a.json().has("stride") ? ints(a, "stride", 0) : null, pair(ints(a, "padding", 0)),
          pair(ints(a, "dilation", 1)), a.bool("ceil_mode", false));
    });
    ModuleMakers.maker("AvgPool1d", a -> {
      int k = a.integer("kernel_size", 0);
      return new AvgPool1d(k, a.integer("stride", k), a.integer("padding", 0), a.bool("ceil_mode", false), a.bool("count_include_pad", true));
    });
    ModuleMakers.maker("AvgPool2d", a -> {
      if (!isTuple(a, "kernel_size")) {
        int k = a.integer("kernel_size", 0);
        return new AvgPool2d(k, a.integer("stride", k), a.integer("padding", 0));
      }
      return new AvgPool2d(ints(a, "kernel_size", 0), a.json().has("stride") ? ints(a, "stride", 0) : null, pair(ints(a, "padding", 0)),
          a.bool("ceil_mode", false), a.bool("count_include_pad", true),
          a.json().has("divisor_override") ? a.integer("divisor_override", 0) : null);
    });
    ModuleMakers.maker("AdaptiveAvgPool1d", a -> new AdaptiveAvgPool1d(a.integer("output_size", 0)));
    ModuleMakers.maker("AdaptiveMaxPool1d", a -> new AdaptiveMaxPool1d(a.integer("output_size", 0)));
    ModuleMakers.maker("AdaptiveAvgPool2d", a -> {
      int[] s = ints(a, "output_size", 0);
      return isTuple(a, "output_size") ? new AdaptiveAvgPool2d(s[0], s[1]) : new AdaptiveAvgPool2d(s[0]);
    });
    ModuleMakers.maker("AdaptiveMaxPool2d", a -> {
      int[] s = ints(a, "output_size", 0);
      return isTuple(a, "output_size") ? new AdaptiveMaxPool2d(s[0], s[1]) : new AdaptiveMaxPool2d(s[0]);
    });
    ModuleMakers.maker("MaxPool3d", a -> {
      if (!isTuple(a, "kernel_size")) {
        int k = a.integer("kernel_size", 0);
        return new MaxPool3d(k, a.integer("stride", k), a.integer("padding", 0));
      }
      return new MaxPool3d(ints(a, "kernel_size", 0), a.json().has("stride") ? ints(a, "stride", 0) : null,
          triple(ints(a, "padding", 0)), triple(ints(a, "dilation", 1)), a.bool("ceil_mode", false));
    });
    ModuleMakers.maker("AvgPool3d", a -> {
      if (!isTuple(a, "kernel_size")) {
        int k = a.integer("kernel_size", 0);
        return new AvgPool3d(k, a.integer("stride", k), a.integer("padding", 0));
      }
      return new AvgPool3d(ints(a, "kernel_size", 0), a.json().has("stride") ? ints(a, "stride", 0) : null,
          triple(ints(a, "padding", 0)), a.bool("ceil_mode", false), a.bool("count_include_pad", true),
          a.json().has("divisor_override") ? a.integer("divisor_override", 0) : null);
    });
    ModuleMakers.maker("AdaptiveAvgPool3d", a -> {
      int[] s = ints(a, "output_size", 0);
      return isTuple(a, "output_size") ? new AdaptiveAvgPool3d(s[0], s[1], s[2]) : new AdaptiveAvgPool3d(s[0]);
    });
    ModuleMakers.maker("AdaptiveMaxPool3d", a -> {
      int[] s = ints(a, "output_size", 0);
      return isTuple(a, "output_size") ? new AdaptiveMaxPool3d(s[0], s[1], s[2]) : new AdaptiveMaxPool3d(s[0]);
    });
    ModuleMakers.maker("LPPool1d", a -> new LPPool1d(a.real("norm_type", 0), a.integer("kernel_size", 0),
        a.json().has("stride") ? a.integer("stride", 0) : null, a.bool("ceil_mode", false)));
    ModuleMakers.maker("LPPool2d", a -> isTuple(a, "kernel_size")
        ? new LPPool2d(a.real("norm_type", 0), ints(a, "kernel_size", 0),
            a.json().has("stride") ? ints(a, "stride", 0) : null, a.bool("ceil_mode", false))
        : new LPPool2d(a.real("norm_type", 0), a.integer("kernel_size", 0)));
    ModuleMakers.maker("Bilinear", a -> new Bilinear(a.integer("in1_features", 0), a.integer("in2_features", 0),
        a.integer("out_features", 0), a.bool("bias", true)));
    ModuleMakers.call("Bilinear", (m, in) -> List.of(((Bilinear) m).call(in.get(0), in.get(1))));
  }
}
