package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.LinearFunctions;

/** gradcheck samples: matrix products, products with an added term, linear and einsum. */
final class LinalgGradSamples {
  private LinalgGradSamples() {}

  static void register(GradSamples s) {
    s.sample("mm", "", in -> of(in[0].mm(in[1])), () -> of(randn(2, 3), randn(3, 4)));
    s.sample("bmm", "", in -> of(in[0].bmm(in[1])), () -> of(randn(2, 2, 3), randn(2, 3, 2)));
    s.sample("matmul", "vector-vector", in -> of(in[0].matmul(in[1])), () -> of(randn(3), randn(3)));
    s.sample("matmul", "matrix-vector", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("matmul", "batched broadcast", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 1, 2, 3), randn(3, 3, 2)));
    s.sample("matmul", "3-D by 2-D", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 2, 3), randn(3, 2)));
    s.sample("mv", "", in -> of(in[0].mv(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("mv", "transposed", in -> of(in[0].t().mv(in[1])), () -> of(randn(3, 2), randn(3)));
    s.sample("dot", "", in -> of(in[0].dot(in[1])), () -> of(randn(4), randn(4)));
    s.sample("outer", "", in -> of(in[0].outer(in[1])), () -> of(randn(3), randn(2)));
    s.sample("addmm", "", in -> of(in[0].addmm(in[1], in[2])), () -> of(randn(2, 4), randn(2, 3), randn(3, 4)));
    s.sample("addmm", "broadcast, beta and alpha", in -> of(in[0].addmm(in[1], in[2], 0.5, -2)),
        () -> of(randn(4), randn(2, 3), randn(3, 4)));
    s.sample("addmm", "beta 0", in -> of(in[0].addmm(in[1], in[2], 0, 1.5)), () -> of(randn(2, 4), randn(2, 3), randn(3, 4)));
    s.sample("addmv", "", in -> of(in[0].addmv(in[1], in[2], 2, 0.5)), () -> of(randn(2), randn(2, 3), randn(3)));
    s.sample("baddbmm", "", in -> of(in[0].baddbmm(in[1], in[2], 0.5, 2)),
        () -> of(randn(2, 1, 2), randn(2, 2, 3), randn(2, 3, 2)));
    s.sample("linear", "3-D input with bias", in -> of(LinearFunctions.linear(in[0], in[1], in[2])),
        () -> of(randn(2, 2, 3), randn(4, 3), randn(4)));
    s.sample("linear", "no bias, 1-D input", in -> of(LinearFunctions.linear(in[0], in[1])), () -> of(randn(3), randn(2, 3)));
    s.sample("linear", "transposed input", in -> of(LinearFunctions.linear(in[0].transpose(0, 1), in[1], in[2])),
        () -> of(randn(3, 2), randn(2, 3), randn(2)));
    s.sample("einsum", "bmm", in -> of(Tensor.einsum("bij,bjk->bik", in[0], in[1])), () -> of(randn(2, 2, 3), randn(2, 3, 2)));
    s.sample("einsum", "attention scores", in -> of(Tensor.einsum("bhqd,bhkd->bhqk", in[0], in[1])),
        () -> of(randn(1, 2, 3, 2), randn(1, 2, 2, 2)));
    s.sample("einsum", "diagonal and trace", in -> of(Tensor.einsum("ii->i", in[0]), Tensor.einsum("ii", in[0])),
        () -> of(randn(3, 3)));
    s.sample("einsum", "outer, sum, ellipsis", in -> of(Tensor.einsum("i,j->ij", in[0], in[1]),
        Tensor.einsum("ij->", in[2]), Tensor.einsum("...ij,...jk->...ik", in[2], in[3])),
        () -> of(randn(2), randn(3), randn(2, 3), randn(2, 3, 2)));
    s.sample("einsum", "three operands", in -> of(Tensor.einsum("ij,jk,k->i", in[0], in[1], in[2])),
        () -> of(randn(2, 3), randn(3, 2), randn(2)));
  }
}
