package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Random ops from Java: distributions (moments, bounds, frequencies), the same numbers for the same seed and
 * any thread count, shapes and dtypes, and bad input (typed exception naming the op, tensors unchanged). Seeds are
 * fixed; the statistical bounds are about 6 sigma wide.
 */
class RandomTest {
  private static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  private static double variance(double[] v) {
    double m = mean(v);
    return Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1);
  }

  /** Each draw, made twice from a fresh Generator(42): the same numbers. */
  private static final List<Function<Generator, Tensor>> DRAWS = List.of(
      g -> Tensor.randint(g, 0, 1000, 5000),
      g -> Tensor.randperm(g, 3000),
      g -> Tensor.zeros(DType.FLOAT64, 5000).normal_(0, 1, g),
      g -> Tensor.zeros(4, 1250).uniform_(-2, 2, g),
      g -> Tensor.full(0.3, 5000).bernoulli(g),
      g -> Tensor.zeros(5000).bernoulli_(0.7, g),
      g -> Tensor.ones(200, 30).multinomial(10, false, g),
      g -> Tensor.ones(200, 30).multinomial(40, true, g),
      g -> Tensor.randLike(g, Tensor.zeros(3000)),
      g -> Tensor.randnLike(g, Tensor.zeros(DType.FLOAT64, 3000)),
      g -> Tensor.randintLike(g, Tensor.zeros(DType.INT64, 3000), -5, 5));

  private static double[] draw(Function<Generator, Tensor> f, long seed) {
    try (Generator g = new Generator(seed); TensorScope s = TensorScope.open()) {
      return f.apply(g).toDoubleArray();
    }
  }

  @Test
  void sameSeedSameNumbers() {
    for (Function<Generator, Tensor> f : DRAWS) {
      assertArrayEquals(draw(f, 42), draw(f, 42));
      assertFalse(Arrays.equals(draw(f, 42), draw(f, 43)), "another seed should give other numbers");
    }
    Kiln.manualSeed(5);
    double[] a = Tensor.randint(0, 100, 50).toDoubleArray();
    Kiln.manualSeed(5);
    assertArrayEquals(a, Tensor.randint(0, 100, 50).toDoubleArray());
  }

  @Test
  void sameNumbersWhateverTheThreadCount() {
    int before = Kiln.getNumThreads();
    try {
      for (Function<Generator, Tensor> f : DRAWS) {
        Kiln.setNumThreads(1);
        double[] one = draw(f, 7);
        Kiln.setNumThreads(4);
        assertArrayEquals(one, draw(f, 7));
      }
    } finally {
      Kiln.setNumThreads(before);
    }
  }

  @Test
  void randintIsUniformOnItsRange() {
    try (Generator g = new Generator(1)) {
      Tensor r = Tensor.randint(g, -2, 3, 50000);
      assertEquals(DType.INT64, r.dtype());
      long[] counts = new long[5];
      for (long v : r.toLongArray()) {
        assertTrue(v >= -2 && v < 3, "out of range: " + v);
        counts[(int) (v + 2)]++;
      }
      for (long c : counts) assertTrue(Math.abs(c - 10000) < 6 * Math.sqrt(10000 * 0.8), Arrays.toString(counts));
      assertEquals(DType.FLOAT32, Tensor.randint(g, DType.FLOAT32, 0, 4, 2, 3).dtype());
      assertArrayEquals(new long[] {2, 3}, Tensor.randint(g, 0, 4, 2, 3).shape());
    }
  }

  @Test
  void randpermIsAPermutation() {
    try (Generator g = new Generator(2)) {
      long[] p = Tensor.randperm(g, 1000).toLongArray();
      long[] sorted = p.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
      assertNotEquals(-1, Arrays.mismatch(p, sorted), "1000 elements should not stay in order");
      assertEquals(DType.FLOAT64, Tensor.randperm(g, DType.FLOAT64, 5).dtype());
      assertEquals(0, Tensor.randperm(g, 0).numel());
    }
  }

  @Test
  void normalAndUniformMoments() {
    try (Generator g = new Generator(3)) {
      for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        double[] n = Tensor.zeros(t, 100000).normal_(-1, 2, g).toDoubleArray();
        assertEquals(-1, mean(n), 6 * 2 / Math.sqrt(100000));
        assertEquals(4, variance(n), 4 * 6 * Math.sqrt(2.0 / 100000));
        double[] u = Tensor.zeros(t, 100000).uniform_(2, 5, g).toDoubleArray();
        assertTrue(Arrays.stream(u).allMatch(x -> x >= 2 && x < 5));
        assertEquals(3.5, mean(u), 6 * Math.sqrt(0.75 / 100000));
        assertEquals(0.75, variance(u), 0.02);
      }
    }
  }

  @Test
  void bernoulliFrequencies() {
    try (Generator g = new Generator(4)) {
      double[] b = Tensor.full(0.2, DType.FLOAT64, 50000).bernoulli(g).toDoubleArray();
      assertTrue(Arrays.stream(b).allMatch(x -> x == 0 || x == 1));
      assertEquals(0.2, mean(b), 6 * Math.sqrt(0.16 / 50000));
      Tensor ints = Tensor.zeros(DType.INT64, 50000).bernoulli_(0.6, g);
      assertEquals(DType.INT64, ints.dtype());
      assertEquals(0.6, mean(ints.toDoubleArray()), 6 * Math.sqrt(0.24 / 50000));
      Tensor rows = Tensor.zeros(2, 4).bernoulli_(Tensor.of(new float[] {1, 0, 1, 0}), g);
      assertArrayEquals(new double[] {1, 0, 1, 0, 1, 0, 1, 0}, rows.toDoubleArray());
    }
  }

  @Test
  void multinomialFrequencies() {
    try (Generator g = new Generator(5)) {
      Tensor w = Tensor.of(new double[] {1, 0, 2, 7});
      long[] s = w.multinomial(100000, true, g).toLongArray();
      long[] counts = new long[4];
      for (long v : s) counts[(int) v]++;
      assertEquals(0, counts[1]);
      double[] p = {0.1, 0, 0.2, 0.7};
      for (int k = 0; k < 4; k++)
        assertEquals(p[k] * 100000, counts[k], 6 * Math.sqrt(100000 * p[k] * (1 - p[k])) + 1e-9, "category " + k);
      long[] all = w.multinomial(4, false, g).toLongArray();
      assertEquals(4, Arrays.stream(all).distinct().count(), Arrays.toString(all));
      assertEquals(1, all[3], "the zero weight comes last: " + Arrays.toString(all));
      assertArrayEquals(new long[] {2, 5}, Tensor.ones(2, 3).multinomial(5, true, g).shape());
    }
  }

  @Test
  void likeFormsTakeShapeAndDtype() {
    Tensor x = Tensor.zeros(DType.FLOAT64, 2, 3);
    assertEquals(DType.FLOAT64, Tensor.randLike(x).dtype());
    assertArrayEquals(new long[] {2, 3}, Tensor.randnLike(x).shape());
    Tensor ri = Tensor.randintLike(Tensor.zeros(DType.INT64, 4), 3, 9);
    assertTrue(Arrays.stream(ri.toLongArray()).allMatch(v -> v >= 3 && v < 9));
    assertThrows(DTypeException.class, () -> Tensor.randLike(Tensor.zeros(DType.INT64, 2)));
  }

  private static <T extends Throwable> void assertError(Class<T> type, Executable call, Tensor unchanged, String... parts) {
    double[] before = unchanged.toDoubleArray();
    T e = assertThrows(type, call);
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    assertArrayEquals(before, unchanged.toDoubleArray(), "the tensor changed");
  }

  @Test
  void badInputChangesNothing() {
    Tensor t = Tensor.full(3.0, 4);
    assertError(ArgumentException.class, () -> t.normal_(0, -1), t, "normal_", "std");
    assertError(ArgumentException.class, () -> t.uniform_(1, 0), t, "uniform_", "from=1", "to=0");
    assertError(ArgumentException.class, () -> t.bernoulli_(1.5), t, "bernoulli_", "1.5");
    assertError(ArgumentException.class, () -> t.bernoulli_(Tensor.of(new float[] {0.5f, 0.5f, 2, 0})), t, "bernoulli_");
    assertError(ShapeException.class, () -> t.bernoulli_(Tensor.of(new float[] {0.5f, 0.5f})), t, "bernoulli_", "[2]");
    assertError(DTypeException.class, () -> Tensor.zeros(DType.INT64, 3).normal_(), t, "normal_", "int64");
    Tensor w = Tensor.of(new double[] {1, -1});
    assertError(ArgumentException.class, () -> w.multinomial(1), w, "multinomial", "element < 0");
    assertError(ArgumentException.class, () -> Tensor.ones(3).multinomial(4), w, "multinomial", "without replacement");
    assertError(ShapeException.class, () -> Tensor.ones(2, 2, 2).multinomial(1), w, "multinomial", "[2, 2, 2]");
    assertError(ArgumentException.class, () -> Tensor.randint(3, 3, 2), w, "randint", "from=3 >= to=3");
    assertError(ArgumentException.class, () -> Tensor.randperm(-2), w, "randperm", "-2");
  }

  @Test
  void inPlaceDrawsRespectAutograd() {
    Tensor leaf = Tensor.zeros(3).requiresGrad(true);
    assertThrows(AutogradException.class, () -> leaf.normal_());
    try (ModeScope s = Autograd.noGrad()) {
      leaf.uniform_(1, 2);
    }
    assertTrue(leaf.isLeaf() && leaf.requiresGrad());
    assertTrue(Arrays.stream(leaf.toDoubleArray()).allMatch(x -> x >= 1 && x < 2));
    Tensor p = Tensor.full(0.5, 3).requiresGrad(true);
    assertFalse(p.bernoulli().requiresGrad(), "draws are not differentiable");
  }
}
