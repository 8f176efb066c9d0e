package dev.kiln.distributions;

import dev.kiln.NotImplementedException;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/**
 * KL(p || q), the Kullback-Leibler divergence between two distributions of one family
 * (torch.distributions.kl.kl_divergence), batchwise with broadcasting. Registered pairs: Normal, Uniform,
 * Bernoulli, Categorical, Exponential and Laplace, each with itself; another pair throws
 * NotImplementedException.
 *
 * <pre>{@code
 * KL.klDivergence(new Normal(0.0, 1.0), new Normal(1.0, 1.0));   // tensor(0.5000)
 * }</pre>
 */
public final class KL {
  private KL() {}

  public static Tensor klDivergence(Distribution p, Distribution q) {
    if (p instanceof Normal a && q instanceof Normal b) return normalNormal(a, b);
    if (p instanceof Uniform a && q instanceof Uniform b) return uniformUniform(a, b);
    if (p instanceof Bernoulli a && q instanceof Bernoulli b) return bernoulliBernoulli(a, b);
    if (p instanceof Categorical a && q instanceof Categorical b) return categoricalCategorical(a, b);
    if (p instanceof Exponential a && q instanceof Exponential b) return exponentialExponential(a, b);
    if (p instanceof Laplace a && q instanceof Laplace b) return laplaceLaplace(a, b);
    throw new NotImplementedException("No KL(p || q) is implemented for p type " + p.getClass().getSimpleName()
        + " and q type " + q.getClass().getSimpleName());
  }

  private static Tensor normalNormal(Normal p, Normal q) {
    Tensor varRatio = p.scale().div(q.scale()).pow(2L);
    Tensor t1 = p.loc().sub(q.loc()).div(q.scale()).pow(2L);
    return varRatio.add(t1).sub(1.0).sub(varRatio.log()).mul(0.5);
  }

  /** Infinite where p's support is not inside q's. */
  private static Tensor uniformUniform(Uniform p, Uniform q) {
    Tensor result = q.high().sub(q.low()).div(p.high().sub(p.low())).log();
    Tensor outside = q.low().gt(p.low()).logicalOr(q.high().lt(p.high()));
    return Tensor.where(outside, Tensor.scalar(Double.POSITIVE_INFINITY, result.dtype()), result);
  }

  private static Tensor bernoulliBernoulli(Bernoulli p, Bernoulli q) {
    Tensor inf = Tensor.scalar(Double.POSITIVE_INFINITY, p.probs().dtype());
    Tensor zero = Tensor.scalar(0.0, p.probs().dtype());
    Tensor t1 = p.probs().mul(Activations.softplus(q.logits().neg()).sub(Activations.softplus(p.logits().neg())));
    t1 = Tensor.where(q.probs().eq(0.0), inf, t1);
    t1 = Tensor.where(p.probs().eq(0.0), zero, t1);
    Tensor t2 = p.probs().neg().add(1.0).mul(Activations.softplus(q.logits()).sub(Activations.softplus(p.logits())));
    t2 = Tensor.where(q.probs().eq(1.0), inf, t2);
    t2 = Tensor.where(p.probs().eq(1.0), zero, t2);
    return t1.add(t2);
  }

  private static Tensor categoricalCategorical(Categorical p, Categorical q) {
    Tensor t = p.probs().mul(p.logits().sub(q.logits()));
    long[] shape = t.shape();
    t = Tensor.where(q.probs().eq(0.0).expand(shape), Tensor.scalar(Double.POSITIVE_INFINITY, t.dtype()), t);
    t = Tensor.where(p.probs().eq(0.0).expand(shape), Tensor.scalar(0.0, t.dtype()), t);
    return t.sum(new int[] {-1}, false);
  }

  private static Tensor exponentialExponential(Exponential p, Exponential q) {
    Tensor rateRatio = q.rate().div(p.rate());
    return rateRatio.log().neg().add(rateRatio).sub(1.0);
  }

  private static Tensor laplaceLaplace(Laplace p, Laplace q) {
    Tensor scaleRatio = p.scale().div(q.scale());
    Tensor locAbsDiff = p.loc().sub(q.loc()).abs();
    Tensor t1 = scaleRatio.log().neg();
    Tensor t2 = locAbsDiff.div(q.scale());
    Tensor t3 = scaleRatio.mul(locAbsDiff.neg().div(p.scale()).exp());
    return t1.add(t2).add(t3).sub(1.0);
  }
}
