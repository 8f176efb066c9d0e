package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.LinearFunctions;

/** Parity mapping: matrix products, products with an added term, linear and einsum. */
final class LinalgOps {
  private LinalgOps() {}

  static void register(OpMap m) {
    m.on("matmul", (x, a) -> x.get(0).matmul(x.get(1)));
    m.on("mm", (x, a) -> x.get(0).mm(x.get(1)));
    m.on("bmm", (x, a) -> x.get(0).bmm(x.get(1)));
    m.on("mv", (x, a) -> x.get(0).mv(x.get(1)));
    m.on("dot", (x, a) -> x.get(0).dot(x.get(1)));
    m.on("outer", (x, a) -> x.get(0).outer(x.get(1)));
    m.on("addmm", (x, a) -> x.get(0).addmm(x.get(1), x.get(2), real(a, "beta"), real(a, "alpha")));
    m.on("addmv", (x, a) -> x.get(0).addmv(x.get(1), x.get(2), real(a, "beta"), real(a, "alpha")));
    m.on("baddbmm", (x, a) -> x.get(0).baddbmm(x.get(1), x.get(2), real(a, "beta"), real(a, "alpha")));
    m.on("linear", (x, a) -> x.size() == 2 ? LinearFunctions.linear(x.get(0), x.get(1))
        : LinearFunctions.linear(x.get(0), x.get(1), x.get(2)));
    m.on("einsum", (x, a) -> Tensor.einsum(a.string("equation"), x.toArray(new Tensor[0])));
  }

  /** beta or alpha: PyTorch's default 1 when the case does not give it. */
  private static double real(Fixtures.Args a, String key) {
    return a.has(key) ? a.scalar(key).asDouble() : 1;
  }
}
