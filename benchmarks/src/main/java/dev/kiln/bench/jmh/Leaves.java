package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;

/** Inputs of the forward + backward benchmarks: standard normal float32 leaves that require grad. */
final class Leaves {
  private Leaves() {}

  static Tensor leaf(Generator g, long... shape) {
    return Tensor.randn(g, DType.FLOAT32, shape).requiresGrad(true);
  }
}
