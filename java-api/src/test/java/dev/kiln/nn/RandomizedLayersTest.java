package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The layers that draw at each call in training, RReLU and fractional max pooling: what the draws may be, their
 * seeding, in-place use, arguments and printing (their deterministic forms are in the parity fixtures).
 */
class RandomizedLayersTest {
  @Test
  void rreluDrawsASlopePerNegativeElementInTraining() {
    Tensor x = Tensor.randn(new Generator(1), DType.FLOAT64, 4000);
    RReLU m = new RReLU(0.1, 0.3, false, new Generator(2));
    double[] in = x.toDoubleArray(), out = m.call(x).toDoubleArray();
    double lo = 1, hi = 0;
    for (int i = 0; i < in.length; i++) {
      if (in[i] > 0) {
        assertEquals(in[i], out[i]);
        continue;
      }
      lo = Math.min(lo, out[i] / in[i]);
      hi = Math.max(hi, out[i] / in[i]);
    }
    assertTrue(lo >= 0.1 && hi <= 0.3 && hi - lo > 0.19, lo + " " + hi);
    assertFalse(Arrays.equals(out, m.call(x).toDoubleArray()), "a fresh draw each call");
    assertArrayEquals(out, new RReLU(0.1, 0.3, false, new Generator(2)).call(x).toDoubleArray(), "seeded");
    m.eval();
    assertArrayEquals(x.mul(0.2).maximum(x).toDoubleArray(), m.call(x).toDoubleArray(), 1e-15);
  }

  @Test
  void rreluInPlaceWritesItsInput() {
    Tensor x = Tensor.of(new double[] {-2, 1, -4}, 3);
    RReLU m = new RReLU(0.25, 0.25, true);
    assertSame(x, m.call(x));
    assertArrayEquals(new double[] {-0.5, 1, -1}, x.toDoubleArray(), 0.0);
    assertEquals("RReLU(lower=0.25, upper=0.25, inplace=True)", m.toString());
    assertEquals("RReLU(lower=0.125, upper=0.3333333333333333)", new RReLU().toString());
    assertThrows(dev.kiln.ArgumentException.class, () -> new RReLU(0.5, 0.1).call(x));
  }

  @Test
  void fractionalMaxPoolDrawsItsWindowsUnlessGiven() {
    Tensor x = Tensor.randn(new Generator(3), DType.FLOAT32, 2, 3, 10, 9);
    FractionalMaxPool2d drawn = new FractionalMaxPool2d(new int[] {2, 2}, new int[] {5, 4}, null, null,
        new Generator(4));
    ValuesAndIndices a = drawn.forwardWithIndices(x), b = drawn.forwardWithIndices(x);
    assertArrayEquals(new long[] {2, 3, 5, 4}, a.values().shape());
    assertFalse(Arrays.equals(a.indices().toLongArray(), b.indices().toLongArray()), "windows drawn per call");
    // each maximum is the input at its index
    assertArrayEquals(a.values().toDoubleArray(),
        x.flatten(2, 3).gather(2, a.indices().flatten(2, 3)).toDoubleArray(), 0.0);

    Tensor u = Tensor.rand(new Generator(5), DType.FLOAT32, 2, 3, 2);
    FractionalMaxPool2d fixed = new FractionalMaxPool2d(new int[] {2, 2}, new int[] {5, 4}, null, u, null);
    assertArrayEquals(fixed.call(x).toDoubleArray(), fixed.call(x).toDoubleArray(), 0.0);
    assertTrue(fixed.stateDict().containsKey("_random_samples"));
    assertTrue(drawn.stateDict().isEmpty());
    assertArrayEquals(fixed.call(x).toDoubleArray(),
        Pooling.fractionalMaxPool2d(x, new int[] {2, 2}, new int[] {5, 4}, null, u, null).toDoubleArray(), 0.0);
    // a ratio: floor(size * ratio) per dim
    assertArrayEquals(new long[] {2, 3, 6, 5}, new FractionalMaxPool2d(2, 0.6).call(x).shape());
    assertArrayEquals(new long[] {1, 2, 3, 3, 3}, new FractionalMaxPool3d(2, 0.5).call(
        Tensor.randn(1, 2, 6, 7, 6)).shape());
    assertEquals("FractionalMaxPool2d()", fixed.toString());
  }

  @Test
  void fractionalMaxPoolArguments() {
    assertEquals("FractionalMaxPool2d requires specifying either an output size, or a pooling ratio",
        assertThrows(IllegalArgumentException.class, () -> new FractionalMaxPool2d(new int[] {2, 2}, null, null,
            null, null)).getMessage());
    assertEquals("only one of output_size and output_ratio may be specified", assertThrows(
        IllegalArgumentException.class, () -> new FractionalMaxPool3d(new int[] {2, 2, 2}, new int[] {3, 3, 3},
            new double[] {0.5, 0.5, 0.5}, null, null)).getMessage());
    assertEquals("output_ratio must be between 0 and 1 (got (0.5, 1.5))", assertThrows(
        IllegalArgumentException.class, () -> new FractionalMaxPool2d(new int[] {2, 2}, null,
            new double[] {0.5, 1.5}, null, null)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Pooling.fractionalMaxPool2d(Tensor.zeros(1, 1, 4, 4),
        new int[] {2, 2}, null, null, null, null));
    ShapeException big = assertThrows(ShapeException.class, () -> new FractionalMaxPool2d(3, 4).call(
        Tensor.zeros(1, 1, 5, 5)));
    assertEquals("fractional_max_pool2d(): pool height 3 too large relative to input height 5", big.getMessage());
    ShapeException samples = assertThrows(ShapeException.class, () -> Pooling.fractionalMaxPool2d(
        Tensor.zeros(2, 1, 5, 5), new int[] {2, 2}, new int[] {3, 3}, null, Tensor.rand(1, 1, 2), null));
    assertTrue(samples.getMessage().startsWith("fractional_max_pool2d: expected _random_samples of shape [2, 1, 2]"),
        samples.getMessage());
  }
}
