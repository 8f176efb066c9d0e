package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * logProb, entropy, mean, variance, cdf, icdf and KL against PyTorch 1.13. Every expected array was
 * printed by torch.distributions in float64 (torch.set_default_dtype(torch.float64)) for the same
 * parameters and values, e.g. {@code Normal(tensor([0.5, -1.0, 2.0]), tensor([1.5, 0.3, 2.0])).log_prob(tensor([0.1, -1.2, 5.0]))}.
 */
class DistributionValuesTest {
  static Tensor t(double... v) {
    return Tensor.of(v, v.length);
  }

  static void close(double[] expected, Tensor actual) {
    double[] a = actual.toDoubleArray();
    assertEquals(expected.length, a.length);
    for (int i = 0; i < a.length; i++) {
      if (Double.isInfinite(expected[i]) || Double.isNaN(expected[i])) assertEquals(expected[i], a[i], "at " + i);
      else assertEquals(expected[i], a[i], 1e-12 * Math.max(1, Math.abs(expected[i])), "at " + i);
    }
  }

  @Test
  void normal() {
    Normal n = new Normal(t(0.5, -1.0, 2.0), t(1.5, 0.3, 2.0));
    Tensor x = t(0.1, -1.2, 5.0);
    close(new double[] {-1.3599591968683926, 0.06281204889904135, -2.737085713764618}, n.logProb(x));
    close(new double[] {1.824403641312837, 0.21496572887873655, 2.112085713764618}, n.entropy());
    close(new double[] {0.39486291046402516, 0.25249253754692297, 0.9331927987311419}, n.cdf(x));
    close(new double[] {-1.4223273483169012, -1.0, 5.919927969080109}, n.icdf(t(0.1, 0.5, 0.975)));
    close(new double[] {0.5, -1.0, 2.0}, n.mean());
    close(new double[] {2.25, 0.09, 4.0}, n.variance());
    close(new double[] {1.5, 0.3, 2.0}, n.stddev());
  }

  @Test
  void uniform() {
    Uniform u = new Uniform(t(0.0, -2.0, 1.0), t(1.0, 3.0, 1.5));
    close(new double[] {0.0, -1.6094379124341003, 0.6931471805599453}, u.logProb(t(0.5, -2.0, 1.25)));
    close(new double[] {0.0, 1.6094379124341003, -0.6931471805599453}, u.entropy());
    close(new double[] {0.5, 0.5, 1.25}, u.mean());
    close(new double[] {0.08333333333333333, 2.0833333333333335, 0.020833333333333332}, u.variance());
    close(new double[] {0.5, 0.2, 0.5}, u.cdf(t(0.5, -1.0, 1.25)));
    close(new double[] {0.2, 0.5, 1.45}, u.icdf(t(0.2, 0.5, 0.9)));
    // outside [low, high) the density is 0: high itself is excluded (validation off to ask)
    close(new double[] {Double.NEGATIVE_INFINITY}, new Uniform(t(0.0), t(1.0), false).logProb(t(1.0)));
  }

  @Test
  void bernoulli() {
    Bernoulli b = Bernoulli.ofProbs(t(0.2, 0.5, 0.9));
    close(new double[] {-1.6094379124341003, -0.6931471805599453, -2.302585092994046}, b.logProb(t(1, 0, 0)));
    close(new double[] {0.5004024235381879, 0.6931471805599453, 0.32508297339144826}, b.entropy());
    close(new double[] {-1.3862943611198906, 0.0, 2.1972245773362196}, b.logits());
    Bernoulli l = Bernoulli.ofLogits(t(-3.0, 0.0, 2.5));
    close(new double[] {-3.048587351573742, -0.6931471805599453, -2.5788897342925496}, l.logProb(t(1, 1, 0)));
    close(new double[] {0.1908649711064422, 0.6931471805599453, 0.2685351843456582}, l.entropy());
    close(new double[] {0.04517665973091214, 0.25, 0.07010371654510807}, l.variance());
  }

  @Test
  void categorical() {
    Categorical c = Categorical.ofProbs(Tensor.of(new double[] {1, 2, 3, 4, 0.5, 0, 0.25, 0.25}, 2, 4));
    // a zero probability gives log(eps) = -36.04..., not -inf: PyTorch clamps probs before the log
    close(new double[] {-0.916290731874155, -36.04365338911715}, c.logProb(Tensor.of(new long[] {3, 1}, 2)));
    close(new double[] {1.2798542258336676, 1.0397207708399179}, c.entropy());
    Tensor lp = c.logProb(Tensor.of(new long[] {0, 2}, 2, 1));
    assertArrayEquals(new long[] {2, 2}, lp.shape());
    close(new double[] {-2.3025850929940455, -0.6931471805599453, -1.2039728043259361, -1.3862943611198906}, lp);
    Categorical l = Categorical.ofLogits(Tensor.of(new double[] {0.3, -1.0, 2.0, 1.0, 1.0, 1.0}, 2, 3));
    close(new double[] {-0.20902076654506008, -1.09861228866811}, l.logProb(Tensor.of(new long[] {2, 0}, 2)));
    close(new double[] {0.5821925069676384, 1.09861228866811}, l.entropy());
    close(new double[] {0.14822546288422211, 0.040396151173133533, 0.8113783859426444, 1 / 3.0, 1 / 3.0, 1 / 3.0},
        l.probs());
    close(new double[] {Double.NaN, Double.NaN}, l.mean());
    assertEquals(3, l.numEvents());
  }

  @Test
  void exponential() {
    Exponential e = new Exponential(t(0.5, 2.0, 3.0));
    Tensor x = t(1.0, 0.25, 0.0);
    close(new double[] {-1.1931471805599454, 0.1931471805599453, 1.0986122886681098}, e.logProb(x));
    close(new double[] {1.6931471805599454, 0.3068528194400547, -0.09861228866810978}, e.entropy());
    close(new double[] {0.3934693402873666, 0.3934693402873666, 0.0}, e.cdf(x));
    close(new double[] {0.21072103131565256, 0.34657359027997264, 0.7675283643313486}, e.icdf(t(0.1, 0.5, 0.9)));
    close(new double[] {2.0, 0.5, 1 / 3.0}, e.mean());
    close(new double[] {4.0, 0.25, 1 / 9.0}, e.variance());
  }

  @Test
  void laplace() {
    Laplace l = new Laplace(t(0.0, 1.0, -2.0), t(1.0, 0.5, 3.0));
    Tensor x = t(0.5, 0.2, -2.0);
    close(new double[] {-1.1931471805599454, -1.6, -1.791759469228055}, l.logProb(x));
    close(new double[] {1.6931471805599454, 1.0, 2.791759469228055}, l.entropy());
    close(new double[] {0.6967346701436833, 0.10094825899732768, 0.5}, l.cdf(x));
    close(new double[] {-1.6094379124341005, 1.0, 2.8283137373023015}, l.icdf(t(0.1, 0.5, 0.9)));
    close(new double[] {2.0, 0.5, 18.0}, l.variance());
  }

  @Test
  void klDivergence() {
    close(new double[] {0.3445348918918356, 1.5333699848858813, 8.11370563888011},
        KL.klDivergence(new Normal(t(0.5, -1.0, 2.0), t(1.5, 0.3, 2.0)), new Normal(t(0, 0, 1), t(1, 2, 0.5))));
    close(new double[] {1.0986122886681098, Double.POSITIVE_INFINITY, 1.6094379124341003},
        KL.klDivergence(new Uniform(t(0, 0, 0.2), t(1, 1, 0.4)), new Uniform(t(-1, 0.5, 0), t(2, 1, 1))));
    close(new double[] {0.19274475702175742, 0.3566749439387321, 0.5108256237659905, Double.POSITIVE_INFINITY},
        KL.klDivergence(Bernoulli.ofProbs(t(0.2, 0.0, 1.0, 0.7)), Bernoulli.ofProbs(t(0.5, 0.3, 0.6, 0.0))));
    close(new double[] {0.2332113080895541, Double.POSITIVE_INFINITY},
        KL.klDivergence(Categorical.ofProbs(Tensor.of(new double[] {0.2, 0.3, 0.5, 0.5, 0.5, 0}, 2, 3)),
            Categorical.ofProbs(Tensor.of(new double[] {0.4, 0.4, 0.2, 0.1, 0, 0.9}, 2, 3))));
    close(new double[] {0.3068528194400546, 0.1931471805599454, 0.9584261358947217},
        KL.klDivergence(new Exponential(t(0.5, 2.0, 3.0)), new Exponential(t(1.0, 1.0, 0.5))));
    close(new double[] {0.246412510416262, 0.0, 1.4416390684296663},
        KL.klDivergence(new Laplace(t(0.0, 1.0, -2.0), t(1.0, 0.5, 3.0)), new Laplace(t(0.5, 1.0, 0.0), t(2.0, 0.5, 1.0))));
  }

  @Test
  void broadcastParameters() {
    Normal n = new Normal(Tensor.of(new double[] {0, 1}, 2, 1), t(1, 2, 3));
    assertArrayEquals(new long[] {2, 3}, n.batchShape());
    assertArrayEquals(new long[] {}, n.eventShape());
    double[] row = {-1.0439385332046727, -1.643335713764618, -2.0314397107616715};
    close(new double[] {row[0], row[1], row[2], row[0], row[1], row[2]}, n.logProb(Tensor.scalar(0.5, dev.kiln.DType.FLOAT64)));
    Normal e = new Normal(0.0, 1.0).expand(4, 2);
    assertArrayEquals(new long[] {4, 2}, e.batchShape());
    assertArrayEquals(new long[] {4, 2}, e.logProb(Tensor.scalar(0.0)).shape());
    Categorical c = Categorical.ofProbs(Tensor.ones(3)).expand(5);
    assertArrayEquals(new long[] {5}, c.batchShape());
    assertArrayEquals(new long[] {5, 3}, c.probs().shape());
  }

  /** The Javadoc examples, float32 by default as in PyTorch; values printed by PyTorch 1.13. */
  @Test
  void javadocExamples() {
    Tensor lp = new Normal(0.0, 1.0).logProb(Tensor.scalar(0.5));
    assertEquals(dev.kiln.DType.FLOAT32, lp.dtype());
    assertEquals(-1.0439385332046727, lp.item(), 1e-6);
    assertEquals(0.5, new Exponential(2.0).mean().item(), 0);
    assertEquals(2.0, new Laplace(0.0, 1.0).variance().item(), 0);
    assertEquals(Math.log(4), new Uniform(0.0, 4.0).entropy().item(), 1e-6);
    assertEquals(Math.log(0.5), Bernoulli.ofLogits(Tensor.scalar(0.0)).logProb(Tensor.scalar(1.0)).item(), 1e-6);
    close(new double[] {0.25, 0.75}, Categorical.ofProbs(t(1, 3)).probs());
    assertEquals(0.5, KL.klDivergence(new Normal(0.0, 1.0), new Normal(1.0, 1.0)).item(), 1e-7);
  }
}
