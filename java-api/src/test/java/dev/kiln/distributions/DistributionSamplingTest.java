package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.NotImplementedException;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Sample shapes (sampleShape + batchShape + eventShape), gradients of sample versus rsample, and the mean
 * and variance of 100k seeded draws against the distribution's own, within 5 standard errors.
 */
class DistributionSamplingTest {
  static final int N = 100_000;

  static Tensor t(double... v) {
    return Tensor.of(v, v.length);
  }

  /** The sample mean and variance over dim 0 agree with the distribution's mean and variance. */
  static void checkMoments(Distribution d, Generator g) {
    Tensor x = d.sample(g, N).to(DType.FLOAT64);
    double[] mean = x.mean(0).toDoubleArray();
    double[] var = x.var(0).toDoubleArray();
    double[] m = d.mean().toDoubleArray();
    double[] v = d.variance().toDoubleArray();
    for (int i = 0; i < m.length; i++) {
      double se = Math.sqrt(v[i] / N);
      assertEquals(m[i], mean[i], 5 * se, d + " mean at " + i);
      // the variance's standard error is sqrt((mu4 - v^2) / N); 5 * v * sqrt(8 / N) covers the families here
      assertEquals(v[i], var[i], 5 * v[i] * Math.sqrt(8.0 / N), d + " variance at " + i);
    }
  }

  @Test
  void moments() {
    Generator g = new Generator(2024);
    checkMoments(new Normal(t(0.5, -1.0, 2.0), t(1.5, 0.3, 2.0)), g);
    checkMoments(new Uniform(t(0.0, -2.0, 1.0), t(1.0, 3.0, 1.5)), g);
    checkMoments(new Exponential(t(0.5, 2.0, 3.0)), g);
    checkMoments(new Laplace(t(0.0, 1.0, -2.0), t(1.0, 0.5, 3.0)), g);
    checkMoments(Bernoulli.ofProbs(t(0.2, 0.5, 0.9)), g);
  }

  @Test
  void categoricalFrequencies() {
    Categorical c = Categorical.ofProbs(Tensor.of(new double[] {1, 2, 3, 4, 0.5, 0, 0.25, 0.25}, 2, 4));
    Tensor x = c.sample(new Generator(7), N);
    assertEquals(DType.INT64, x.dtype());
    assertArrayEquals(new long[] {N, 2}, x.shape());
    double[] probs = c.probs().toDoubleArray();
    for (int b = 0; b < 2; b++)
      for (int k = 0; k < 4; k++) {
        double f = x.select(1, b).eq((long) k).to(DType.FLOAT64).mean().item();
        double p = probs[b * 4 + k];
        assertEquals(p, f, 5 * Math.sqrt(p * (1 - p) / N) + 1e-12, "batch " + b + " category " + k);
      }
  }

  @Test
  void shapes() {
    Normal n = new Normal(Tensor.zeros(DType.FLOAT64, 2, 3), Tensor.ones(DType.FLOAT64, 3));
    assertArrayEquals(new long[] {2, 3}, n.sample().shape());
    assertArrayEquals(new long[] {4, 5, 2, 3}, n.sample(4, 5).shape());
    assertArrayEquals(new long[] {4, 2, 3}, n.rsample(4).shape());
    assertEquals(DType.FLOAT64, n.sample(4).dtype());
    assertArrayEquals(new long[] {6}, new Uniform(0.0, 1.0).sample(6).shape());
    assertArrayEquals(new long[] {6, 3}, new Exponential(t(1, 2, 3)).sample(6).shape());
    assertArrayEquals(new long[] {2, 2, 3}, new Laplace(t(0, 0, 0), t(1, 1, 1)).sample(2, 1).expand(2, 2, 3).shape());
    assertArrayEquals(new long[] {7, 3}, Bernoulli.ofLogits(t(0, 1, 2)).sample(7).shape());
    Categorical c = Categorical.ofLogits(Tensor.zeros(DType.FLOAT64, 2, 3, 5));
    assertArrayEquals(new long[] {2, 3}, c.batchShape());
    assertArrayEquals(new long[] {}, c.eventShape());
    assertArrayEquals(new long[] {4, 6, 2, 3}, c.sample(4, 6).shape());
    assertArrayEquals(new long[] {2, 3}, c.sample().shape());
  }

  @Test
  void seededGeneratorRepeats() {
    Laplace l = new Laplace(t(0, 1), t(1, 2));
    assertArrayEquals(l.sample(new Generator(11), 5).toDoubleArray(), l.sample(new Generator(11), 5).toDoubleArray());
    Categorical c = Categorical.ofProbs(t(0.1, 0.2, 0.7));
    assertArrayEquals(c.sample(new Generator(11), 50).toLongArray(), c.sample(new Generator(11), 50).toLongArray());
  }

  @Test
  void sampleHasNoGradRsampleHas() {
    Tensor loc = t(0, 1).requiresGrad(true);
    Normal n = new Normal(loc, t(1, 2));
    assertFalse(n.sample(3).requiresGrad());
    assertTrue(n.rsample(3).requiresGrad());
    assertTrue(n.hasRsample());
    Bernoulli b = Bernoulli.ofLogits(t(0, 1).requiresGrad(true));
    assertFalse(b.hasRsample());
    assertFalse(b.sample(3).requiresGrad());
    assertThrows(NotImplementedException.class, () -> b.rsample(3));
    assertThrows(NotImplementedException.class, () -> b.cdf(t(0, 1)));
  }
}
