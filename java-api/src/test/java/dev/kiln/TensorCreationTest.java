package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Factories, and what the fixtures cannot show: copies of Java data, random numbers and their seeds. */
class TensorCreationTest {
  @Test
  void ofCopiesTheJavaArrayInRowMajorOrder() {
    float[] data = {1, 2, 3, 4, 5, 6};
    Tensor t = Tensor.of(data, 2, 3);
    data[0] = 100; // the tensor has its own copy
    assertEquals(DType.FLOAT32, t.dtype());
    assertArrayEquals(new long[] {2, 3}, t.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
  }

  @Test
  void ofWithoutShapeIsOneDimensional() {
    assertArrayEquals(new long[] {3}, Tensor.of(new double[] {1, 2, 3}).shape());
    assertArrayEquals(new long[] {0}, Tensor.of(new long[0]).shape());
  }

  @Test
  void ofPicksTheDtypeFromTheArrayType() {
    assertEquals(DType.FLOAT32, Tensor.of(new float[] {1}).dtype());
    assertEquals(DType.FLOAT64, Tensor.of(new double[] {1}).dtype());
    assertEquals(DType.INT64, Tensor.of(new long[] {1}).dtype());
    assertEquals(DType.BOOL, Tensor.of(new boolean[] {true}).dtype());
  }

  @Test
  void ofKeepsTheShapeArgumentItsOwn() {
    long[] shape = {2, 2};
    Tensor t = Tensor.of(new long[] {1, 2, 3, 4}, shape);
    shape[0] = 4;
    assertArrayEquals(new long[] {2, 2}, t.shape());
  }

  @Test
  void ofKeepsExtremeValuesExactly() {
    long[] longs = {Long.MIN_VALUE, Long.MAX_VALUE, 9007199254740993L};
    assertArrayEquals(longs, Tensor.of(longs).toLongArray());
    double[] doubles = {Double.MIN_VALUE, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, 0.1};
    assertArrayEquals(doubles, Tensor.of(doubles).toDoubleArray());
  }

  @Test
  void ofRejectsDataThatDoesNotFillTheShape() {
    ArgumentException e = assertThrows(ArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("5"), e.getMessage());
    assertThrows(ArgumentException.class, () -> Tensor.of(new double[] {1}, 2));
    assertThrows(ArgumentException.class, () -> Tensor.of(new boolean[6], 3, -2));
  }

  @Test
  void scalarsHaveNoDims() {
    Tensor f = Tensor.scalar(2.5);
    assertEquals(0, f.dim());
    assertEquals(1, f.numel());
    assertEquals(DType.FLOAT32, f.dtype());
    assertEquals(2.5, f.item());
    assertEquals(DType.INT64, Tensor.scalar(7L).dtype());
    assertEquals(DType.BOOL, Tensor.scalar(true).dtype());
    assertEquals(0.1, Tensor.scalar(0.1, DType.FLOAT64).item());
    assertEquals(-2, Tensor.scalar(-2.7, DType.INT64).itemLong());
    assertTrue(Tensor.scalar(0.5, DType.BOOL).itemBoolean());
    assertTrue(Tensor.scalar(Double.NaN, DType.BOOL).itemBoolean());
    assertFalse(Tensor.scalar(0.0, DType.BOOL).itemBoolean());
  }

  @Test
  void factoriesDefaultToFloat32() {
    assertEquals(DType.FLOAT32, Tensor.zeros(2).dtype());
    assertEquals(DType.FLOAT32, Tensor.ones(2).dtype());
    assertEquals(DType.FLOAT32, Tensor.empty(2).dtype());
    assertEquals(DType.FLOAT32, Tensor.full(1.5, 2).dtype());
    assertEquals(DType.FLOAT32, Tensor.eye(2).dtype());
    assertEquals(DType.FLOAT32, Tensor.rand(2).dtype());
    assertEquals(DType.FLOAT32, Tensor.randn(2).dtype());
    assertEquals(DType.FLOAT32, Tensor.arange(0.0, 1.0, 0.5).dtype());
    assertEquals(DType.INT64, Tensor.arange(3).dtype());
    assertEquals(DType.INT64, Tensor.full(7L, 2).dtype());
  }

  @Test
  void likeFactoriesCopyShapeAndDtypeNotValues() {
    Tensor x = Tensor.of(new long[] {5, 6, 7, 8, 9, 10}, 3, 2).t();
    Tensor z = Tensor.zerosLike(x), o = Tensor.onesLike(x);
    assertArrayEquals(new long[] {2, 3}, z.shape());
    assertEquals(DType.INT64, o.dtype());
    assertArrayEquals(new long[6], z.toLongArray());
    assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1}, o.toLongArray());
  }

  @Test
  void emptyHasTheShapeAsked() {
    Tensor t = Tensor.empty(DType.INT64, 3, 0, 2);
    assertArrayEquals(new long[] {3, 0, 2}, t.shape());
    assertEquals(0, t.numel());
    assertEquals(0, t.toLongArray().length);
  }

  @Test
  void randIsUniformOnZeroOne() {
    Kiln.manualSeed(1);
    double[] v = Tensor.rand(DType.FLOAT64, 10_000).toDoubleArray();
    double sum = 0;
    for (double x : v) {
      assertTrue(x >= 0 && x < 1, "rand gave " + x);
      sum += x;
    }
    assertEquals(0.5, sum / v.length, 0.02);
  }

  @Test
  void randnIsStandardNormal() {
    Kiln.manualSeed(2);
    float[] v = Tensor.randn(20_000).toFloatArray();
    double sum = 0, squares = 0;
    for (float x : v) {
      sum += x;
      squares += x * x;
    }
    double mean = sum / v.length;
    assertEquals(0, mean, 0.03);
    assertEquals(1, Math.sqrt(squares / v.length - mean * mean), 0.03);
  }

  @Test
  void manualSeedMakesRandomNumbersReproducible() {
    Kiln.manualSeed(42);
    float[] a = Tensor.rand(3, 4).toFloatArray();
    float[] an = Tensor.randn(5).toFloatArray();
    Kiln.manualSeed(42);
    assertArrayEquals(a, Tensor.rand(3, 4).toFloatArray());
    assertArrayEquals(an, Tensor.randn(5).toFloatArray());
    Kiln.manualSeed(43);
    assertFalse(Arrays.equals(a, Tensor.rand(3, 4).toFloatArray()));
  }

  @Test
  void generatorsAreIndependentOfTheGlobalSeed() {
    float[] first, second;
    try (Generator g = new Generator(7)) {
      assertEquals(7, g.seed());
      first = Tensor.rand(g, 6).toFloatArray();
      Kiln.manualSeed(123); // does not touch g
      second = Tensor.rand(g, 6).toFloatArray();
      assertFalse(Arrays.equals(first, second), "a generator moves on after each use");
      g.manualSeed(7);
      assertArrayEquals(first, Tensor.rand(g, 6).toFloatArray());
    }
    try (Generator g = new Generator(7)) {
      assertArrayEquals(first, Tensor.rand(g, 6).toFloatArray());
      assertArrayEquals(second, Tensor.rand(g, 6).toFloatArray());
    }
    try (Generator g1 = new Generator(9); Generator g2 = new Generator(9)) {
      assertArrayEquals(Tensor.randn(g1, DType.FLOAT64, 2, 3).toDoubleArray(),
          Tensor.randn(g2, DType.FLOAT64, 2, 3).toDoubleArray());
      assertEquals(DType.FLOAT64, Tensor.rand(g1, DType.FLOAT64, 2).dtype());
    }
  }

  @Test
  void randomNumbersDoNotDependOnTheNumberOfThreads() {
    int threads = Kiln.getNumThreads();
    try {
      Kiln.setNumThreads(1);
      Kiln.manualSeed(5);
      float[] serial = Tensor.randn(200_003).toFloatArray();
      Kiln.setNumThreads(Math.max(2, threads));
      Kiln.manualSeed(5);
      assertArrayEquals(serial, Tensor.randn(200_003).toFloatArray());
    } finally {
      Kiln.setNumThreads(threads);
    }
  }

  @Test
  void generatorCloseTwiceIsHarmlessAndUseAfterCloseThrows() {
    Generator g = new Generator(1);
    g.close();
    g.close();
    assertThrows(IllegalStateException.class, () -> Tensor.rand(g, 2));
    assertThrows(IllegalStateException.class, g::seed);
  }

  @Test
  void randomFactoriesRejectIntegerDtypes() {
    DTypeException e = assertThrows(DTypeException.class, () -> Tensor.rand(DType.INT64, 2));
    assertTrue(e.getMessage().startsWith("rand:") && e.getMessage().contains("int64"), e.getMessage());
    e = assertThrows(DTypeException.class, () -> Tensor.randn(DType.BOOL, 2));
    assertTrue(e.getMessage().startsWith("randn:") && e.getMessage().contains("bool"), e.getMessage());
  }

  @Test
  void negativeSizesAreRejected() {
    ArgumentException e = assertThrows(ArgumentException.class, () -> Tensor.zeros(2, -1));
    assertTrue(e.getMessage().startsWith("zeros:") && e.getMessage().contains("[2, -1]"), e.getMessage());
    assertThrows(ArgumentException.class, () -> Tensor.rand(-3));
    assertThrows(ArgumentException.class, () -> Tensor.full(1.0, -1));
    assertThrows(ArgumentException.class, () -> Tensor.eye(-2, 2));
  }

  @Test
  void anImpossibleAllocationIsAnExceptionNotACrash() {
    // 2^50 float32 elements: more than any address space, so the allocator fails at once.
    assertThrows(NativeOutOfMemoryException.class, () -> Tensor.empty(1L << 50));
    assertEquals(3, Tensor.ones(3).sum().item()); // the JVM and the core are fine
  }
}
