package dev.kiln.nn.functional;

import dev.kiln.ArgumentException;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/**
 * The activations of {@code torch.nn.functional}, with PyTorch's names (camelCased) and defaults. Each runs one
 * fused native kernel forward and one fused native op backward (whose own derivative gives double backward),
 * but for threshold and the shrink functions, compositions of differentiable ops.
 *
 * <pre>{@code
 * Tensor y = Activations.gelu(x);                 // F.gelu(x)
 * Tensor z = Activations.leakyRelu(x, 0.2);       // F.leaky_relu(x, 0.2)
 * Tensor h = Activations.glu(Activations.prelu(x, weight), 1);
 * }</pre>
 *
 * <p>Bad input (an integer tensor, a weight that does not fit, an odd glu dim) raises a {@link
 * dev.kiln.KilnException} naming the op; the inputs are left unchanged.
 */
public final class Activations {
  private Activations() {}

  private static final long[] NO_INTS = {};
  private static final int SOFTPLUS = Core.op("softplus"),
      GELU = Core.op("gelu"),
      SILU = Core.op("silu"),
      MISH = Core.op("mish"),
      LEAKY_RELU = Core.op("leaky_relu"),
      ELU = Core.op("elu"),
      SELU = Core.op("selu"),
      CELU = Core.op("celu"),
      HARDTANH = Core.op("hardtanh"),
      RELU6 = Core.op("relu6"),
      HARDSIGMOID = Core.op("hardsigmoid"),
      HARDSWISH = Core.op("hardswish"),
      SOFTSIGN = Core.op("softsign"),
      LOG_SIGMOID = Core.op("log_sigmoid"),
      PRELU = Core.op("prelu"),
      GLU = Core.op("glu"),
      RRELU = Core.op("rrelu");

  /** rrelu with lower 1/8, upper 1/3, not training (F.rrelu's defaults): leakyRelu with their mean slope. */
  public static Tensor rrelu(Tensor x) {
    return rrelu(x, 1.0 / 8, 1.0 / 3, false, false, null);
  }

  public static Tensor rrelu(Tensor x, double lower, double upper, boolean training) {
    return rrelu(x, lower, upper, training, false, null);
  }

  /**
   * Randomized leaky ReLU (F.rrelu): training, each {@code x <= 0} is multiplied by its own slope drawn uniformly
   * from [lower, upper] (from generator; null: the global one), whose gradient is that slope; not training, leakyRelu
   * with slope {@code (lower + upper) / 2}. inplace writes the result into x. The slopes do not match PyTorch's
   * draws (a different random stream).
   */
  public static Tensor rrelu(Tensor x, double lower, double upper, boolean training, boolean inplace,
      Generator generator) {
    long gen = generator == null ? 0 : generator.handle();
    Tensor out = call(RRELU, x, new long[] {gen, training ? 1 : 0}, lower, upper);
    if (!inplace) return out;
    try (out) {
      return x.copy_(out);
    }
  }

  /** {@code log(1 + exp(x))}, with beta 1 and threshold 20. */
  public static Tensor softplus(Tensor x) {
    return softplus(x, 1.0, 20.0);
  }

  /** {@code log(1 + exp(beta x)) / beta}, or x itself where {@code beta x > threshold}. */
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    return call(SOFTPLUS, x, NO_INTS, beta, threshold);
  }

  /** {@code x Phi(x)}, Phi the standard normal CDF (the exact form, approximate "none"). */
  public static Tensor gelu(Tensor x) {
    return gelu(x, "none");
  }

  /** gelu with approximate "none" (exact, through erf) or "tanh" (the tanh approximation). */
  public static Tensor gelu(Tensor x, String approximate) {
    long code = switch (approximate) {
      case "none" -> 0;
      case "tanh" -> 1;
      default -> throw new IllegalArgumentException(
          "gelu: approximate argument must be either none or tanh, got '" + approximate + "'");
    };
    return call(GELU, x, new long[] {code});
  }

  /** {@code x sigmoid(x)} (swish). */
  public static Tensor silu(Tensor x) {
    return call(SILU, x, NO_INTS);
  }

  /** {@code x tanh(softplus(x))}. */
  public static Tensor mish(Tensor x) {
    return call(MISH, x, NO_INTS);
  }

  /** leakyRelu with negative slope 0.01. */
  public static Tensor leakyRelu(Tensor x) {
    return leakyRelu(x, 0.01);
  }

  /** x where x > 0, else {@code negativeSlope x}. */
  public static Tensor leakyRelu(Tensor x, double negativeSlope) {
    return call(LEAKY_RELU, x, NO_INTS, negativeSlope);
  }

  /** elu with alpha 1. */
  public static Tensor elu(Tensor x) {
    return elu(x, 1.0);
  }

  /** x where x > 0, else {@code alpha (exp(x) - 1)}. */
  public static Tensor elu(Tensor x, double alpha) {
    return call(ELU, x, NO_INTS, alpha, 1.0, 1.0);
  }

  /** {@code scale elu(x, alpha)} with PyTorch's constants (alpha 1.6733, scale 1.0507). */
  public static Tensor selu(Tensor x) {
    return call(SELU, x, NO_INTS);
  }

  /** celu with alpha 1. */
  public static Tensor celu(Tensor x) {
    return celu(x, 1.0);
  }

  /** x where x > 0, else {@code alpha (exp(x / alpha) - 1)}; alpha must not be 0. */
  public static Tensor celu(Tensor x, double alpha) {
    return call(CELU, x, NO_INTS, alpha);
  }

  /** hardtanh between -1 and 1. */
  public static Tensor hardtanh(Tensor x) {
    return hardtanh(x, -1.0, 1.0);
  }

  /** x clamped to [minVal, maxVal] (int64 inputs stay int64, the bounds truncated toward zero). */
  public static Tensor hardtanh(Tensor x, double minVal, double maxVal) {
    return call(HARDTANH, x, NO_INTS, minVal, maxVal);
  }

  /** x clamped to [0, 6]. */
  public static Tensor relu6(Tensor x) {
    return call(RELU6, x, NO_INTS);
  }

  /** {@code relu6(x + 3) / 6}. */
  public static Tensor hardsigmoid(Tensor x) {
    return call(HARDSIGMOID, x, NO_INTS);
  }

  /** {@code x relu6(x + 3) / 6}. */
  public static Tensor hardswish(Tensor x) {
    return call(HARDSWISH, x, NO_INTS);
  }

  /** {@code x / (1 + |x|)}; int64 inputs give float32. */
  public static Tensor softsign(Tensor x) {
    return call(SOFTSIGN, x, NO_INTS);
  }

  /** {@code log(sigmoid(x))}, computed without overflow. */
  public static Tensor logsigmoid(Tensor x) {
    return call(LOG_SIGMOID, x, NO_INTS);
  }

  /**
   * x where x > 0, else {@code weight x}: weight has one value, or one per channel (dim 1 of x; inputs of
   * fewer than 2 dims have one channel), and x's dtype.
   */
  public static Tensor prelu(Tensor x, Tensor weight) {
    return Tensor.adopt(Core.call(PRELU, Frame.tensors(x.handle(), weight.handle())));
  }

  /** glu along the last dim. */
  public static Tensor glu(Tensor x) {
    return glu(x, -1);
  }

  /** {@code a sigmoid(b)}, a and b the first and second halves of x along dim (whose size must be even). */
  public static Tensor glu(Tensor x, int dim) {
    return call(GLU, x, new long[] {dim});
  }

  // The shrink and threshold functions are compositions of differentiable ops (masked_fill, sub, tanh): their
  // gradients come from those, and the masks use PyTorch's closed intervals, so at exactly +-lambd (or at the
  // threshold) the gradient is 0 as in hardshrink_backward and threshold_backward.

  /** x where {@code x > threshold}, else value (F.threshold); NaN stays NaN. */
  public static Tensor threshold(Tensor x, double threshold, double value) {
    return x.maskedFill(x.le(threshold), value);
  }

  /** hardshrink with lambd 0.5. */
  public static Tensor hardshrink(Tensor x) {
    return hardshrink(x, 0.5);
  }

  /** x where {@code |x| > lambd}, else 0 (F.hardshrink); NaN stays NaN. */
  public static Tensor hardshrink(Tensor x, double lambd) {
    return x.maskedFill(inside(x, lambd), 0.0);
  }

  /** softshrink with lambd 0.5. */
  public static Tensor softshrink(Tensor x) {
    return softshrink(x, 0.5);
  }

  /**
   * {@code x - lambd} above lambd, {@code x + lambd} below -lambd, else 0 (F.softshrink); lambd must be
   * non-negative. NaN gives 0, as PyTorch's kernel does (whose gradient there is 1; this one's is 0).
   */
  public static Tensor softshrink(Tensor x, double lambd) {
    if (!(lambd >= 0))
      throw new ArgumentException("softshrink: lambda must be greater or equal to 0, but found to be " + lambd + ".");
    return x.sub(x.sign().mul(lambd)).maskedFill(inside(x, lambd).logicalOr(x.isnan()), 0.0);
  }

  /** {@code x - tanh(x)} (F.tanhshrink). */
  public static Tensor tanhshrink(Tensor x) {
    return x.sub(x.tanh());
  }

  /** Where {@code -lambd <= x <= lambd}: the closed band that shrinks to 0. */
  private static Tensor inside(Tensor x, double lambd) {
    return x.ge(-lambd).logicalAnd(x.le(lambd));
  }

  private static Tensor call(int op, Tensor x, long[] ints, double... reals) {
    return Tensor.adopt(Core.call(op, Frame.of(new long[] {x.handle()}, ints, reals)));
  }
}
