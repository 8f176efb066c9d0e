package dev.kiln.parity;

/** Parity mapping: matrix products. */
final class LinalgOps {
  private LinalgOps() {}

  static void register(OpMap m) {
    m.on("matmul", (x, a) -> x.get(0).matmul(x.get(1)));
    m.on("mm", (x, a) -> x.get(0).mm(x.get(1)));
    m.on("bmm", (x, a) -> x.get(0).bmm(x.get(1)));
  }
}
