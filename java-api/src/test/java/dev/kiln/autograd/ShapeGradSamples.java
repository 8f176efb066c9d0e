package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;

/** gradcheck samples: views, copies and indexing. */
final class ShapeGradSamples {
  private ShapeGradSamples() {}

  static void register(GradSamples s) {
    s.sample("view", "", in -> of(in[0].view(3, 2)), () -> of(randn(2, 3)));
    s.sample("reshape", "copying", in -> of(in[0].t().reshape(6)), () -> of(randn(2, 3)));
    s.sample("transpose", "", in -> of(in[0].transpose(0, 2)), () -> of(randn(2, 3, 2)));
    s.sample("t", "", in -> of(in[0].t()), () -> of(randn(2, 3)));
    s.sample("permute", "", in -> of(in[0].permute(2, 0, 1)), () -> of(randn(2, 3, 2)));
    s.sample("slice", "step", in -> of(in[0].slice(1, 0, 3, 2)), () -> of(randn(2, 4)));
    s.sample("narrow", "", in -> of(in[0].narrow(0, 1, 2)), () -> of(randn(3, 2)));
    s.sample("expand", "", in -> of(in[0].expand(2, 3, 4)), () -> of(randn(3, 1)));
    s.sample("squeeze", "", in -> of(in[0].squeeze()), () -> of(randn(2, 1, 3)));
    s.sample("unsqueeze", "", in -> of(in[0].unsqueeze(1)), () -> of(randn(2, 3)));
    s.sample("flatten", "", in -> of(in[0].flatten()), () -> of(randn(2, 3, 2)));
    s.sample("contiguous", "", in -> of(in[0].t().contiguous()), () -> of(randn(2, 3)));
    s.sample("to", "same dtype", in -> of(in[0].to(DType.FLOAT64)), () -> of(randn(3)));
    s.sampleWithTolerance("_to_copy", "through float32",
        in -> of(in[0].to(DType.FLOAT32).to(DType.FLOAT64)), () -> of(randn(3)), 1e-2, 1e-3, 1e-2);
    s.sample("clone", "", in -> of(in[0].clone()), () -> of(randn(2, 3)));
    s.sample("to_device", "a copy on the same device", in -> of(in[0].to(Device.CPU, true)), () -> of(randn(2, 3)));
    s.sample("copy_", "broadcast into a non-leaf", in -> of(in[0].mul(1).copy_(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("fill_", "tensor value", in -> of(in[0].mul(2).fill_(in[1])), () -> of(randn(2, 2), randn()));
    s.sample("zero_", "", in -> of(in[0].mul(2).zero_().add(in[0])), () -> of(randn(2, 2)));
    s.sample("gather", "", in -> of(in[0].gather(1, Tensor.of(new long[] {2, 0, 1, 1}, 2, 2))), () -> of(randn(2, 3)));
    s.sample("scatter", "", in -> of(in[0].scatter(1, Tensor.of(new long[] {2, 0, 1, 2}, 2, 2), in[1])), () -> of(randn(2, 3), randn(2, 2)));
    s.sample("scatter_add", "repeated index", in -> of(in[0].scatterAdd(1, Tensor.of(new long[] {1, 1, 0, 2}, 2, 2), in[1])), () -> of(randn(2, 3), randn(2, 2)));
    s.sample("slice_scatter", "", in -> of(in[0].sliceScatter(in[1], 1, 0, 4, 2)), () -> of(randn(2, 4), randn(2, 2)));
  }
}
