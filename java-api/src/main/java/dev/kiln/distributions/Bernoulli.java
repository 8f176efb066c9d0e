package dev.kiln.distributions;

import dev.kiln.ArgumentException;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;
import java.util.Map;

/**
 * The Bernoulli distribution (torch.distributions.Bernoulli): 1 with probability probs, else 0, given by
 * probs or by logits (log-odds), exactly one of them. The other is derived as PyTorch does: probs =
 * sigmoid(logits), logits = log(p) - log1p(-p) of the probabilities clamped to [eps, 1 - eps].
 *
 * <pre>{@code
 * Bernoulli.ofLogits(Tensor.scalar(0.0)).logProb(Tensor.scalar(1.0));   // tensor(-0.6931)
 * }</pre>
 */
public final class Bernoulli extends Distribution {
  private final Tensor probs;
  private final Tensor logits;
  private final boolean givenProbs;

  /** Exactly one of probs and logits is non-null; validateArgs null uses the default. */
  public Bernoulli(Tensor probs, Tensor logits, Boolean validateArgs) {
    super(shapeOf(probs, logits), new long[0], validateArgs);
    givenProbs = probs != null;
    if (givenProbs) {
      this.probs = probs;
      Tensor p = clampProbs(probs);
      this.logits = p.log().sub(p.neg().log1p());
    } else {
      this.logits = logits;
      this.probs = logits.sigmoid();
    }
    validateParameters();
  }

  public static Bernoulli ofProbs(Tensor probs) {
    return new Bernoulli(probs, null, null);
  }

  public static Bernoulli ofProbs(double probs) {
    return new Bernoulli(Tensor.scalar(probs), null, null);
  }

  public static Bernoulli ofLogits(Tensor logits) {
    return new Bernoulli(null, logits, null);
  }

  public static Bernoulli ofLogits(double logits) {
    return new Bernoulli(null, Tensor.scalar(logits), null);
  }

  private static long[] shapeOf(Tensor probs, Tensor logits) {
    if ((probs == null) == (logits == null))
      throw new ArgumentException("Either `probs` or `logits` must be specified, but not both.");
    return (probs != null ? probs : logits).shape();
  }

  public Tensor probs() {
    return probs;
  }

  public Tensor logits() {
    return logits;
  }

  @Override
  protected Map<String, Constraint> argConstraints() {
    return ordered("probs", Constraint.unitInterval(), "logits", Constraint.real());
  }

  /** Only the parameter given is validated and shown, as in PyTorch. */
  @Override
  protected Map<String, Tensor> parameters() {
    return givenProbs ? ordered("probs", probs) : ordered("logits", logits);
  }

  @Override
  public Constraint support() {
    return Constraint.booleans();
  }

  @Override
  public Bernoulli expand(long... batchShape) {
    return givenProbs ? new Bernoulli(probs.expand(batchShape), null, false)
        : new Bernoulli(null, logits.expand(batchShape), false);
  }

  @Override
  public Tensor sample(Generator generator, long... sampleShape) {
    try (var g = Autograd.noGrad()) {
      return Draws.bernoulli(generator, probs.expand(extendedShape(sampleShape)));
    }
  }

  /** -binary_cross_entropy_with_logits(logits, value). */
  @Override
  public Tensor logProb(Tensor value) {
    validateSample(value);
    Tensor[] lv = broadcastAll(logits, value);
    return Losses.binaryCrossEntropyWithLogits(lv[0], lv[1], Reduction.NONE).neg();
  }

  @Override
  public Tensor entropy() {
    return Losses.binaryCrossEntropyWithLogits(logits, probs, Reduction.NONE);
  }

  @Override
  public Tensor mean() {
    return probs;
  }

  @Override
  public Tensor variance() {
    return probs.mul(probs.neg().add(1.0));
  }
}
