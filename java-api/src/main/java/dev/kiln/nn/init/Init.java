package dev.kiln.nn.init;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Parameter initialization, as {@code torch.nn.init}: each method fills its tensor in place under no-grad (so it
 * works on parameters that require grad) and returns it. The random ones take an optional {@link Generator}
 * (without one, the global generator that {@code Kiln.manualSeed} seeds).
 *
 * <pre>{@code
 * Tensor w = Tensor.empty(128, 64).requiresGrad(true);
 * Init.kaimingUniform_(w, Math.sqrt(5), "fan_in", "leaky_relu");   // nn.Linear's default
 * Init.zeros_(bias);
 * }</pre>
 */
public final class Init {
  private Init() {}

  private static final int TRUNC_NORMAL_ = Core.op("trunc_normal_"), ORTHOGONAL_ = Core.op("orthogonal_");
  private static final List<String> LINEAR = List.of("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
      "conv_transpose2d", "conv_transpose3d");

  // ---------------------------------------------------------------- gains and fans

  /** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain); leaky_relu's slope is 0.01. */
  public static double calculateGain(String nonlinearity) {
    return gain("calculate_gain", nonlinearity, 0.01);
  }

  /** The gain with a parameter: the negative slope of leaky_relu (ignored by the others). */
  public static double calculateGain(String nonlinearity, double param) {
    return gain("calculate_gain", nonlinearity, param);
  }

  private static double gain(String op, String nonlinearity, double slope) {
    if (nonlinearity.equals("leaky_relu") && !Double.isFinite(slope))
      throw new IllegalArgumentException(op + ": negative_slope " + slope + " not a valid number");
    if (LINEAR.contains(nonlinearity) || nonlinearity.equals("sigmoid")) return 1;
    return switch (nonlinearity) {
      case "tanh" -> 5.0 / 3;
      case "relu" -> Math.sqrt(2.0);
      case "leaky_relu" -> Math.sqrt(2.0 / (1 + slope * slope));
      case "selu" -> 3.0 / 4;
      default -> throw new IllegalArgumentException(op + ": Unsupported nonlinearity " + nonlinearity);
    };
  }

  /** {fan_in, fan_out} of a weight of at least 2 dims: size(1) and size(0), times the receptive field (dims 2+). */
  static long[] fans(String op, Tensor t) {
    long[] s = t.shape();
    if (s.length < 2)
      throw new IllegalArgumentException(op + ": Fan in and fan out can not be computed for tensor with fewer than 2 "
          + "dimensions (shape " + java.util.Arrays.toString(s) + ")");
    long receptive = 1;
    for (int d = 2; d < s.length; d++) receptive *= s[d];
    return new long[] {s[1] * receptive, s[0] * receptive};
  }

  private static long[] nonZeroFans(String op, Tensor t) {
    long[] f = fans(op, t);
    if (f[0] + f[1] == 0) throw new IllegalArgumentException(op + ": float division by zero (fan_in + fan_out is 0)");
    return f;
  }

  private static long fan(String op, Tensor t, String mode) {
    long[] f = fans(op, t);
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "fan_in" -> f[0];
      case "fan_out" -> f[1];
      default -> throw new IllegalArgumentException(op + ": Mode " + mode + " not supported, please use one of fan_in, fan_out");
    };
  }

  // ---------------------------------------------------------------- fills

  /** Values uniform on [0, 1). */
  public static Tensor uniform_(Tensor t) {
    return uniform_(t, 0, 1);
  }

  /** Values uniform on [a, b). */
  public static Tensor uniform_(Tensor t, double a, double b) {
    return noGrad(() -> t.uniform_(a, b));
  }

  public static Tensor uniform_(Tensor t, double a, double b, Generator generator) {
    return noGrad(() -> t.uniform_(a, b, generator));
  }

  /** Standard normal values. */
  public static Tensor normal_(Tensor t) {
    return normal_(t, 0, 1);
  }

  public static Tensor normal_(Tensor t, double mean, double std) {
    return noGrad(() -> t.normal_(mean, std));
  }

  public static Tensor normal_(Tensor t, double mean, double std, Generator generator) {
    return noGrad(() -> t.normal_(mean, std, generator));
  }

  /** The standard normal restricted to [-2, 2] (sampled by its inverse CDF, never redrawn). */
  public static Tensor truncNormal_(Tensor t) {
    return truncNormal_(t, 0, 1, -2, 2);
  }

  /** Normal(mean, std) restricted to [a, b]. */
  public static Tensor truncNormal_(Tensor t, double mean, double std, double a, double b) {
    return truncNormal_(t, mean, std, a, b, null);
  }

  public static Tensor truncNormal_(Tensor t, double mean, double std, double a, double b, Generator generator) {
    return noGrad(() -> nativeFill(TRUNC_NORMAL_, t, generator, mean, std, a, b));
  }

  public static Tensor constant_(Tensor t, double value) {
    return noGrad(() -> t.fill_(value));
  }

  public static Tensor ones_(Tensor t) {
    return constant_(t, 1);
  }

  public static Tensor zeros_(Tensor t) {
    return noGrad(t::zero_);
  }

  /** The identity matrix (a 2-D tensor only): inputs preserved by a linear layer. */
  public static Tensor eye_(Tensor t) {
    if (t.dim() != 2)
      throw new IllegalArgumentException("eye_: Only tensors with 2 dimensions are supported (got " + t.dim() + ")");
    return noGrad(() -> {
      try (Tensor eye = Tensor.eye(t.dtype(), t.size(0), t.size(1))) {
        return t.copy_(eye);
      }
    });
  }

  /** The Dirac delta (a 3-, 4- or 5-D convolution weight): inputs preserved by a convolution. */
  public static Tensor dirac_(Tensor t) {
    return dirac_(t, 1);
  }

  /** dirac_ for a convolution with groups groups: each group's channels are preserved. */
  public static Tensor dirac_(Tensor t, int groups) {
    long[] s = t.shape();
    if (s.length < 3 || s.length > 5)
      throw new IllegalArgumentException("dirac_: Only tensors with 3, 4, or 5 dimensions are supported (got " + s.length + ")");
    if (groups <= 0 || s[0] % groups != 0)
      throw new IllegalArgumentException("dirac_: dim 0 must be divisible by groups (size " + s[0] + ", groups " + groups + ")");
    long n = t.numel();
    if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("dirac_: a tensor of " + n + " elements is too large");
    long inner = 1, center = 0;
    for (int d = 2; d < s.length; d++) {
      center = center * s[d] + s[d] / 2;
      inner *= s[d];
    }
    long perGroup = s[0] / groups, channels = Math.min(perGroup, s[1]);
    double[] data = new double[(int) n];
    for (long g = 0; g < groups; g++)
      for (long d = 0; d < channels; d++) data[(int) (((g * perGroup + d) * s[1] + d) * inner + center)] = 1;
    return noGrad(() -> {
      try (Tensor delta = Tensor.of(data, s)) {
        return t.copy_(delta);
      }
    });
  }

  // ---------------------------------------------------------------- scaled by the fans

  /** Glorot uniform: bound gain sqrt(6 / (fan_in + fan_out)). */
  public static Tensor xavierUniform_(Tensor t) {
    return xavierUniform_(t, 1.0);
  }

  public static Tensor xavierUniform_(Tensor t, double gain) {
    return xavierUniform_(t, gain, null);
  }

  public static Tensor xavierUniform_(Tensor t, double gain, Generator generator) {
    long[] f = nonZeroFans("xavier_uniform_", t);
    double bound = Math.sqrt(3.0) * gain * Math.sqrt(2.0 / (f[0] + f[1]));
    return uniform(t, -bound, bound, generator);
  }

  /** Glorot normal: std gain sqrt(2 / (fan_in + fan_out)). */
  public static Tensor xavierNormal_(Tensor t) {
    return xavierNormal_(t, 1.0);
  }

  public static Tensor xavierNormal_(Tensor t, double gain) {
    return xavierNormal_(t, gain, null);
  }

  public static Tensor xavierNormal_(Tensor t, double gain, Generator generator) {
    long[] f = nonZeroFans("xavier_normal_", t);
    return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), generator);
  }

  /** He uniform with PyTorch's defaults: a 0, mode fan_in, nonlinearity leaky_relu. */
  public static Tensor kaimingUniform_(Tensor t) {
    return kaimingUniform_(t, 0, "fan_in", "leaky_relu");
  }

  /** He uniform: bound gain sqrt(3 / fan), gain = calculateGain(nonlinearity, a), fan by mode. */
  public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity) {
    return kaimingUniform_(t, a, mode, nonlinearity, null);
  }

  public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity, Generator generator) {
    if (t.numel() == 0) return t; // PyTorch warns that this is a no-op
    double std = gain("kaiming_uniform_", nonlinearity, a) / Math.sqrt(fan("kaiming_uniform_", t, mode));
    double bound = Math.sqrt(3.0) * std;
    return uniform(t, -bound, bound, generator);
  }

  /** He normal with PyTorch's defaults: a 0, mode fan_in, nonlinearity leaky_relu. */
  public static Tensor kaimingNormal_(Tensor t) {
    return kaimingNormal_(t, 0, "fan_in", "leaky_relu");
  }

  /** He normal: std gain / sqrt(fan). */
  public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity) {
    return kaimingNormal_(t, a, mode, nonlinearity, null);
  }

  public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity, Generator generator) {
    if (t.numel() == 0) return t;
    double std = gain("kaiming_normal_", nonlinearity, a) / Math.sqrt(fan("kaiming_normal_", t, mode));
    return normal(t, 0, std, generator);
  }

  /** A (semi-)orthogonal matrix (t viewed as [size(0), rest]), times gain 1. */
  public static Tensor orthogonal_(Tensor t) {
    return orthogonal_(t, 1.0);
  }

  public static Tensor orthogonal_(Tensor t, double gain) {
    return orthogonal_(t, gain, null);
  }

  public static Tensor orthogonal_(Tensor t, double gain, Generator generator) {
    return noGrad(() -> nativeFill(ORTHOGONAL_, t, generator, gain));
  }

  // ---------------------------------------------------------------- plumbing

  private static Tensor uniform(Tensor t, double a, double b, Generator g) {
    return g == null ? uniform_(t, a, b) : uniform_(t, a, b, g);
  }

  private static Tensor normal(Tensor t, double mean, double std, Generator g) {
    return g == null ? normal_(t, mean, std) : normal_(t, mean, std, g);
  }

  private static Tensor nativeFill(int op, Tensor t, Generator g, double... reals) {
    Core.callInPlace(op, Frame.of(new long[] {t.handle()}, new long[] {g == null ? 0 : g.handle()}, reals));
    return t;
  }

  private static Tensor noGrad(Supplier<Tensor> fill) {
    try (ModeScope s = Autograd.noGrad()) {
      return fill.get();
    }
  }
}
