package dev.kiln.autograd;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gradcheck samples of every differentiable op, by op name, and the inputs they are made of. Each family
 * registers its samples in its own class (ElementwiseGradSamples, ...); a new family adds its class below.
 */
final class GradSamples {
  /**
   * A function to check and the inputs to check it at (made fresh for each check). twice: whether it has second
   * derivatives; ctc_loss has none (as in PyTorch), and its gradgradcheck expects the refusal instead.
   */
  record Sample(String label, GradCheck.TensorFunction fn, Supplier<Tensor[]> inputs, double eps, double atol, double rtol,
                boolean twice) {}

  private final Map<String, List<Sample>> samples = new LinkedHashMap<>();

  private static final Generator GEN = new Generator(7);

  static Tensor randn(long... shape) {
    return Tensor.randn(GEN, DType.FLOAT64, shape).requiresGrad(true);
  }

  /** Values in [lo, lo + 1): away from the points where an op is not differentiable. */
  static Tensor positive(double lo, long... shape) {
    return Tensor.rand(GEN, DType.FLOAT64, shape).add(lo).requiresGrad(true);
  }

  /** Distinct values away from 0, with random signs. */
  static Tensor awayFromZero(long... shape) {
    Tensor mag = Tensor.rand(GEN, DType.FLOAT64, shape).add(0.2);
    Tensor sign = Tensor.rand(GEN, DType.FLOAT64, shape).gt(0.5).to(DType.FLOAT64).mul(2).sub(1);
    return mag.mul(sign).add(Tensor.arange(DType.FLOAT64, 0, mag.numel(), 1).view(shape).mul(1e-3)).requiresGrad(true);
  }

  void sample(String op, String label, GradCheck.TensorFunction fn, Supplier<Tensor[]> inputs) {
    sampleWithTolerance(op, label, fn, inputs, GradCheck.EPS, GradCheck.ATOL, GradCheck.RTOL);
  }

  /** A sample that needs its own eps and tolerances (an op through float32, say). */
  void sampleWithTolerance(String op, String label, GradCheck.TensorFunction fn, Supplier<Tensor[]> inputs, double eps,
                           double atol, double rtol) {
    samples.computeIfAbsent(op, k -> new ArrayList<>()).add(new Sample(label, fn, inputs, eps, atol, rtol, true));
  }

  /** A sample of an op with first derivatives only: its second derivative raises NotImplementedException. */
  void sampleFirstOrder(String op, String label, GradCheck.TensorFunction fn, Supplier<Tensor[]> inputs) {
    samples.computeIfAbsent(op, k -> new ArrayList<>())
        .add(new Sample(label, fn, inputs, GradCheck.EPS, GradCheck.ATOL, GradCheck.RTOL, false));
  }

  static Tensor[] of(Tensor... t) {
    return t;
  }


  /** The samples of every family. */
  static Map<String, List<Sample>> all() {
    GradSamples s = new GradSamples();
    ElementwiseGradSamples.register(s);
    ReductionGradSamples.register(s);
    ShapeGradSamples.register(s);
    LinalgGradSamples.register(s);
    ActivationGradSamples.register(s);
    IndexingGradSamples.register(s);
    ConvGradSamples.register(s);
    PoolGradSamples.register(s);
    NormGradSamples.register(s);
    LossGradSamples.register(s);
    return s.samples;
  }

  /** Samples of the ops without a derivative: how OpBadInputTest calls them (they are never gradchecked). */
  static Map<String, List<Sample>> nonDifferentiable() {
    GradSamples s = new GradSamples();
    NonDifferentiableSamples.register(s);
    return s.samples;
  }
}
