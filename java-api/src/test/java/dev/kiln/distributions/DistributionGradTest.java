package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * Gradients of rsample, logProb, entropy, cdf and KL with respect to the parameters, against finite
 * differences (GradCheck, float64). rsample draws from a generator seeded afresh on every call, so each
 * evaluation sees the same noise.
 */
class DistributionGradTest {
  static Tensor p(double... v) {
    return Tensor.of(v, v.length).requiresGrad(true);
  }

  static Tensor t(double... v) {
    return Tensor.of(v, v.length);
  }

  @Test
  void normal() {
    Tensor x = t(0.1, -1.2, 5.0);
    assertTrue(GradCheck.gradcheck(in -> {
      Normal n = new Normal(in[0], in[1]);
      return new Tensor[] {n.logProb(x), n.entropy(), n.cdf(x), n.icdf(t(0.1, 0.5, 0.9)), n.rsample(new Generator(3), 2)};
    }, p(0.5, -1.0, 2.0), p(1.5, 0.3, 2.0)));
  }

  @Test
  void uniform() {
    Tensor x = t(0.5, -1.0, 1.25);
    assertTrue(GradCheck.gradcheck(in -> {
      Uniform u = new Uniform(in[0], in[1]);
      return new Tensor[] {u.logProb(x), u.entropy(), u.cdf(x), u.rsample(new Generator(3), 4)};
    }, p(0.0, -2.0, 1.0), p(1.0, 3.0, 1.5)));
  }

  @Test
  void exponentialAndLaplace() {
    assertTrue(GradCheck.gradcheck(in -> {
      Exponential e = new Exponential(in[0]);
      return new Tensor[] {e.logProb(t(1.0, 0.25, 0.5)), e.entropy(), e.cdf(t(1.0, 0.25, 0.5)), e.rsample(new Generator(5), 3)};
    }, p(0.5, 2.0, 3.0)));
    assertTrue(GradCheck.gradcheck(in -> {
      Laplace l = new Laplace(in[0], in[1]);
      Tensor x = t(0.5, 0.2, -1.0);
      return new Tensor[] {l.logProb(x), l.entropy(), l.cdf(x), l.icdf(t(0.1, 0.6, 0.9)), l.rsample(new Generator(5), 3)};
    }, p(0.0, 1.0, -2.0), p(1.0, 0.5, 3.0)));
  }

  @Test
  void bernoulliAndCategorical() {
    assertTrue(GradCheck.gradcheck(in -> {
      Bernoulli b = Bernoulli.ofLogits(in[0]);
      Bernoulli c = Bernoulli.ofProbs(in[1]);
      return new Tensor[] {b.logProb(t(1, 0, 1)), b.entropy(), c.logProb(t(0, 1, 1)), c.entropy()};
    }, p(-3.0, 0.0, 2.5), p(0.2, 0.5, 0.9)));
    assertTrue(GradCheck.gradcheck(in -> {
      Categorical c = Categorical.ofLogits(in[0].view(2, 3));
      Categorical d = Categorical.ofProbs(in[1].view(2, 3));
      Tensor v = Tensor.of(new long[] {2, 0}, 2);
      return new Tensor[] {c.logProb(v), c.entropy(), d.logProb(v), d.entropy()};
    }, p(0.3, -1.0, 2.0, 1.0, 0.5, 1.0), p(0.2, 0.3, 0.5, 1.0, 2.0, 3.0)));
  }

  @Test
  void klDivergence() {
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {
        KL.klDivergence(new Normal(in[0], in[1]), new Normal(in[1], in[1].mul(2.0))),
        KL.klDivergence(new Laplace(in[0], in[1]), new Laplace(in[1], in[1].add(1.0))),
        KL.klDivergence(new Exponential(in[1]), new Exponential(in[1].mul(in[1]))),
        KL.klDivergence(new Uniform(in[0], in[0].add(in[1])), new Uniform(in[0].sub(1.0), in[0].add(in[1]).add(2.0))),
        KL.klDivergence(Bernoulli.ofLogits(in[0]), Bernoulli.ofLogits(in[1])),
        KL.klDivergence(Categorical.ofLogits(in[0]), Categorical.ofLogits(in[1]))},
        p(0.5, -1.0, 2.0), p(1.5, 0.3, 2.0)));
  }
}
