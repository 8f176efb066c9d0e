package dev.kiln.nn.functional;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/**
 * The normalizations of {@code torch.nn.functional}: batch, instance, layer, group and RMS norm, with PyTorch's
 * names (camelCased) and defaults. Each runs one fused native kernel forward and one fused native op backward
 * (whose own derivative gives gradients of any order). A null tensor is PyTorch's None.
 *
 * <pre>{@code
 * Tensor y = Normalization.layerNorm(x, new long[] {768}, gamma, beta);            // F.layer_norm
 * Tensor z = Normalization.batchNorm(x, runningMean, runningVar, w, b, true, 0.1, 1e-5);
 * }</pre>
 *
 * <p>{@link #normalize} (F.normalize) is the exception: it is composed of ordinary ops, as PyTorch's is.
 *
 * <p>Bad input (a shape that does not fit, a dtype other than float32/float64, one value per channel when
 * training) raises a {@link dev.kiln.KilnException} naming the op; the inputs are left unchanged.
 */
public final class Normalization {
  private Normalization() {}

  private static final int BATCH_NORM = Core.op("batch_norm"),
      INSTANCE_NORM = Core.op("instance_norm"),
      LAYER_NORM = Core.op("layer_norm"),
      GROUP_NORM = Core.op("group_norm"),
      RMS_NORM = Core.op("rms_norm"),
      LOCAL_RESPONSE_NORM = Core.op("local_response_norm");

  /** batchNorm in evaluation mode with the running statistics, no affine, eps 1e-5. */
  public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar) {
    return batchNorm(input, runningMean, runningVar, null, null, false, 0.1, 1e-5);
  }

  /** batchNorm with momentum 0.1 and eps 1e-5. */
  public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
      boolean training) {
    return batchNorm(input, runningMean, runningVar, weight, bias, training, 0.1, 1e-5);
  }

  /**
   * Per channel (dim 1) of input [N, C, *]: {@code (x - mean) / sqrt(var + eps) * weight + bias}. Training uses
   * the batch's statistics and moves the running ones (when given) in place: {@code running = (1 - momentum)
   * running + momentum batch}, the variance unbiased; evaluation uses the running statistics.
   */
  public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
      boolean training, double momentum, double eps) {
    OptionalTensors o = OptionalTensors.of(input, weight, bias, runningMean, runningVar);
    return o.call(BATCH_NORM, new long[] {o.mask, training ? 1 : 0}, momentum, eps);
  }

  /** instanceNorm with the instances' own statistics, no running statistics or affine, eps 1e-5. */
  public static Tensor instanceNorm(Tensor input) {
    return instanceNorm(input, null, null, null, null, true, 0.1, 1e-5);
  }

  /**
   * Each (sample, channel) of input [N, C, *] normalized over its own elements. Running statistics (optional)
   * move towards the mean of the instances' statistics; with useInputStats false they are used instead.
   */
  public static Tensor instanceNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
      boolean useInputStats, double momentum, double eps) {
    OptionalTensors o = OptionalTensors.of(input, weight, bias, runningMean, runningVar);
    return o.call(INSTANCE_NORM, new long[] {o.mask, useInputStats ? 1 : 0}, momentum, eps);
  }

  /** layerNorm without affine, eps 1e-5. */
  public static Tensor layerNorm(Tensor input, long[] normalizedShape) {
    return layerNorm(input, normalizedShape, null, null, 1e-5);
  }

  /** layerNorm with eps 1e-5. */
  public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias) {
    return layerNorm(input, normalizedShape, weight, bias, 1e-5);
  }

  /**
   * Each row of the last dims (which must be normalizedShape) normalized to mean 0 and variance 1, then {@code *
   * weight + bias} elementwise (both of normalizedShape, or null).
   */
  public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    OptionalTensors o = OptionalTensors.of(input, weight, bias);
    return o.call(LAYER_NORM, Frame.concat(new long[] {o.mask}, normalizedShape), eps);
  }

  /** normalize with p 2 over dim 1, eps 1e-12. */
  public static Tensor normalize(Tensor input) {
    return normalize(input, 2, 1, 1e-12);
  }

  /**
   * input divided by its p-norm over dim, each norm at least eps (F.normalize): {@code input / max(||input||_p, eps)},
   * the norm kept as a dim of size 1 and expanded. {@code Normalization.normalize(v, 2, 0, 1e-12)} is v / |v|.
   */
  public static Tensor normalize(Tensor input, double p, int dim, double eps) {
    return input.div(input.norm(p, new int[] {dim}, true).clampMin(eps).expandAs(input));
  }

  /** localResponseNorm with alpha 1e-4, beta 0.75, k 1. */
  public static Tensor localResponseNorm(Tensor input, int size) {
    return localResponseNorm(input, size, 1e-4, 0.75, 1.0);
  }

  /**
   * input [N, C, ...] (3-D or more) divided by (k + alpha * the mean of its squares over size neighbouring
   * channels, zero-padded)^beta: AlexNet's local response normalization, as PyTorch computes it.
   */
  public static Tensor localResponseNorm(Tensor input, int size, double alpha, double beta, double k) {
    return SpatialArgs.call(LOCAL_RESPONSE_NORM, SpatialArgs.handles(input), new long[] {size}, alpha, beta, k);
  }

  /** groupNorm without affine, eps 1e-5. */
  public static Tensor groupNorm(Tensor input, int numGroups) {
    return groupNorm(input, numGroups, null, null, 1e-5);
  }

  /** groupNorm with eps 1e-5. */
  public static Tensor groupNorm(Tensor input, int numGroups, Tensor weight, Tensor bias) {
    return groupNorm(input, numGroups, weight, bias, 1e-5);
  }

  /**
   * input [N, C, *] normalized over each of numGroups groups of adjacent channels (C must divide evenly), then a
   * per-channel {@code * weight + bias} (both [C], or null).
   */
  public static Tensor groupNorm(Tensor input, int numGroups, Tensor weight, Tensor bias, double eps) {
    OptionalTensors o = OptionalTensors.of(input, weight, bias);
    return o.call(GROUP_NORM, new long[] {o.mask, numGroups}, eps);
  }

  /** rmsNorm without weight, eps the machine epsilon of input's dtype. */
  public static Tensor rmsNorm(Tensor input, long[] normalizedShape) {
    return rmsNorm(input, normalizedShape, null, null);
  }

  /** rmsNorm with eps the machine epsilon of input's dtype. */
  public static Tensor rmsNorm(Tensor input, long[] normalizedShape, Tensor weight) {
    return rmsNorm(input, normalizedShape, weight, null);
  }

  /**
   * {@code x / sqrt(mean(x^2) + eps) * weight} over the last dims (normalizedShape), as F.rms_norm: eps null takes
   * the machine epsilon of input's dtype ({@code torch.finfo(dtype).eps}).
   */
  public static Tensor rmsNorm(Tensor input, long[] normalizedShape, Tensor weight, Double eps) {
    double e = eps != null ? eps : machineEpsilon(input);
    OptionalTensors o = OptionalTensors.of(input, weight);
    return o.call(RMS_NORM, Frame.concat(new long[] {o.mask}, normalizedShape), e);
  }

  /** torch.finfo(dtype).eps of a floating dtype (float32's for the others, which the op then refuses). */
  static double machineEpsilon(Tensor t) {
    return switch (t.dtype()) {
      case FLOAT64 -> Math.ulp(1.0);
      case FLOAT16 -> 0.0009765625;
      case BFLOAT16 -> 0.0078125;
      default -> Math.ulp(1.0f);
    };
  }
}
