package dev.kiln.distributions;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import java.util.Arrays;
import java.util.Map;

/**
 * A categorical distribution over {0, ..., K-1} (torch.distributions.Categorical), given by probs
 * (nonnegative weights, normalized over the last dim) or by logits (unnormalized log-probabilities),
 * exactly one of them. The batch shape is the parameter's shape without its last dim; events are scalars.
 *
 * <pre>{@code
 * Categorical.ofProbs(Tensor.of(new double[] {1, 3})).probs();   // tensor([0.2500, 0.7500], dtype=torch.float64)
 * }</pre>
 */
public final class Categorical extends Distribution {
  private final Tensor probs; // normalized
  private final Tensor logits; // normalized: logsumexp over the last dim is 0
  private final boolean givenProbs;
  private final long numEvents;

  /** Exactly one of probs and logits is non-null, at least one-dimensional; validateArgs null uses the default. */
  public Categorical(Tensor probs, Tensor logits, Boolean validateArgs) {
    super(batchShapeOf(probs, logits), new long[0], validateArgs);
    givenProbs = probs != null;
    if (givenProbs) {
      this.probs = probs.div(probs.sum(new int[] {-1}, true));
      this.logits = clampProbs(this.probs).log();
    } else {
      this.logits = logits.sub(logits.logsumexp(new int[] {-1}, true));
      this.probs = this.logits.softmax(-1);
    }
    long[] shape = this.probs.shape();
    numEvents = shape[shape.length - 1];
    validateParameters();
  }

  public static Categorical ofProbs(Tensor probs) {
    return new Categorical(probs, null, null);
  }

  public static Categorical ofLogits(Tensor logits) {
    return new Categorical(null, logits, null);
  }

  private static long[] batchShapeOf(Tensor probs, Tensor logits) {
    if ((probs == null) == (logits == null))
      throw new ArgumentException("Either `probs` or `logits` must be specified, but not both.");
    Tensor p = probs != null ? probs : logits;
    if (p.dim() < 1)
      throw new ArgumentException("`" + (probs != null ? "probs" : "logits") + "` parameter must be at least one-dimensional.");
    long[] shape = p.shape();
    return Arrays.copyOf(shape, shape.length - 1);
  }

  /** The probabilities, normalized over the last dim. */
  public Tensor probs() {
    return probs;
  }

  /** The log-probabilities (normalized logits). */
  public Tensor logits() {
    return logits;
  }

  /** K, the number of categories. */
  public long numEvents() {
    return numEvents;
  }

  @Override
  protected Map<String, Constraint> argConstraints() {
    return ordered("probs", Constraint.simplex(), "logits", Constraint.realVector());
  }

  @Override
  protected Map<String, Tensor> parameters() {
    return givenProbs ? ordered("probs", probs) : ordered("logits", logits);
  }

  @Override
  public Constraint support() {
    return Constraint.integerInterval(0, numEvents - 1);
  }

  @Override
  public Categorical expand(long... batchShape) {
    long[] shape = concat(batchShape, numEvents);
    return givenProbs ? new Categorical(probs.expand(shape), null, false)
        : new Categorical(null, logits.expand(shape), false);
  }

  /** Category indices (int64) drawn with replacement by multinomial, one per batch element per sample. */
  @Override
  public Tensor sample(Generator generator, long... sampleShape) {
    long n = 1;
    for (long s : sampleShape) n *= s;
    try (var g = Autograd.noGrad()) {
      Tensor probs2d = probs.reshape(-1, numEvents);
      Tensor samples2d = Draws.multinomial(generator, probs2d, n).t();
      return samples2d.reshape(extendedShape(sampleShape));
    }
  }

  @Override
  public Tensor logProb(Tensor value) {
    validateSample(value);
    Tensor v = value.to(DType.INT64).unsqueeze(-1);
    long[] shape = broadcastShapes(v.shape(), logits.shape());
    Tensor index = v.expand(shape).slice(-1, 0, 1);
    return logits.expand(shape).gather(-1, index).squeeze(-1);
  }

  @Override
  public Tensor entropy() {
    Tensor l = logits.clampMin(finfoMin(logits.dtype()));
    return l.mul(probs).sum(new int[] {-1}, false).neg();
  }

  /** Undefined: NaN in every batch element, as in PyTorch. */
  @Override
  public Tensor mean() {
    return Tensor.full(Double.NaN, probs.dtype(), extendedShape());
  }

  @Override
  public Tensor variance() {
    return Tensor.full(Double.NaN, probs.dtype(), extendedShape());
  }
}
