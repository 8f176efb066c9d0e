package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.randn;

/** gradcheck samples: matrix products. */
final class LinalgGradSamples {
  private LinalgGradSamples() {}

  static void register(GradSamples s) {
    s.sample("mm", "", in -> of(in[0].mm(in[1])), () -> of(randn(2, 3), randn(3, 4)));
    s.sample("bmm", "", in -> of(in[0].bmm(in[1])), () -> of(randn(2, 2, 3), randn(2, 3, 2)));
    s.sample("matmul", "vector-vector", in -> of(in[0].matmul(in[1])), () -> of(randn(3), randn(3)));
    s.sample("matmul", "matrix-vector", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("matmul", "batched broadcast", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 1, 2, 3), randn(3, 3, 2)));
    s.sample("matmul", "3-D by 2-D", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 2, 3), randn(3, 2)));
  }
}
