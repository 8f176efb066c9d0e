package dev.kiln.distributions;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;

/** The random draws the distributions make, from a generator or, when it is null, from the default one. */
final class Draws {
  private Draws() {}

  static Tensor randn(Generator g, DType dtype, long[] shape) {
    return g == null ? Tensor.randn(dtype, shape) : Tensor.randn(g, dtype, shape);
  }

  static Tensor rand(Generator g, DType dtype, long[] shape) {
    return g == null ? Tensor.rand(dtype, shape) : Tensor.rand(g, dtype, shape);
  }

  /** Uniform on [from, to). */
  static Tensor uniform(Generator g, DType dtype, long[] shape, double from, double to) {
    Tensor t = Tensor.empty(dtype, shape);
    return g == null ? t.uniform_(from, to) : t.uniform_(from, to, g);
  }

  static Tensor bernoulli(Generator g, Tensor probs) {
    return g == null ? probs.bernoulli() : probs.bernoulli(g);
  }

  static Tensor multinomial(Generator g, Tensor weights, long n) {
    return g == null ? weights.multinomial(n, true) : weights.multinomial(n, true, g);
  }
}
