package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Convolutions;
import java.util.Arrays;
import java.util.List;

/** Parity mapping: convolutions, unfold and fold (torch.nn.functional's arguments, with its defaults). */
final class ConvOps {
  private ConvOps() {}

  static void register(OpMap m) {
    for (int nd = 1; nd <= 3; nd++) {
      int n = nd;
      m.on("conv" + nd + "d", (x, a) -> conv(n, x, a));
      m.on("conv_transpose" + nd + "d", (x, a) -> convTranspose(n, x, a));
    }
    m.on("unfold", (x, a) -> Convolutions.unfold(x.get(0), perDim(a, "kernel_size", 0, 2),
        perDim(a, "dilation", 1, 2), perDim(a, "padding", 0, 2), perDim(a, "stride", 1, 2)));
    m.on("fold", (x, a) -> Convolutions.fold(x.get(0), perDim(a, "output_size", 0, 2),
        perDim(a, "kernel_size", 0, 2), perDim(a, "dilation", 1, 2), perDim(a, "padding", 0, 2),
        perDim(a, "stride", 1, 2)));
  }

  /** An argument that PyTorch takes as an int or a list: nd values (its default when absent). */
  static int[] perDim(Fixtures.Args a, String key, int otherwise, int nd) {
    if (!a.has(key)) {
      int[] v = new int[nd];
      Arrays.fill(v, otherwise);
      return v;
    }
    int[] v = a.ints(key);
    if (v.length == 1 && nd > 1) {
      int[] r = new int[nd];
      Arrays.fill(r, v[0]);
      return r;
    }
    return v;
  }

  private static Tensor conv(int nd, List<Tensor> x, Fixtures.Args a) {
    Tensor in = x.get(0), w = x.get(1), b = x.size() > 2 ? x.get(2) : null;
    int[] stride = perDim(a, "stride", 1, nd), dilation = perDim(a, "dilation", 1, nd);
    int groups = a.has("groups") ? a.integer("groups") : 1;
    if (a.has("padding_mode")) {
      String mode = a.string("padding_mode");
      return switch (nd) {
        case 1 -> Convolutions.conv1d(in, w, b, stride[0], mode, dilation[0], groups);
        case 2 -> Convolutions.conv2d(in, w, b, stride, mode, dilation, groups);
        default -> Convolutions.conv3d(in, w, b, stride, mode, dilation, groups);
      };
    }
    int[] padding = perDim(a, "padding", 0, nd);
    return switch (nd) {
      case 1 -> Convolutions.conv1d(in, w, b, stride[0], padding[0], dilation[0], groups);
      case 2 -> Convolutions.conv2d(in, w, b, stride, padding, dilation, groups);
      default -> Convolutions.conv3d(in, w, b, stride, padding, dilation, groups);
    };
  }

  private static Tensor convTranspose(int nd, List<Tensor> x, Fixtures.Args a) {
    Tensor in = x.get(0), w = x.get(1), b = x.size() > 2 ? x.get(2) : null;
    int[] stride = perDim(a, "stride", 1, nd), padding = perDim(a, "padding", 0, nd),
        outputPadding = perDim(a, "output_padding", 0, nd), dilation = perDim(a, "dilation", 1, nd);
    int groups = a.has("groups") ? a.integer("groups") : 1;
    return switch (nd) {
      case 1 -> Convolutions.convTranspose1d(in, w, b, stride[0], padding[0], outputPadding[0], groups, dilation[0]);
      case 2 -> Convolutions.convTranspose2d(in, w, b, stride, padding, outputPadding, groups, dilation);
      default -> Convolutions.convTranspose3d(in, w, b, stride, padding, outputPadding, groups, dilation);
    };
  }
}
