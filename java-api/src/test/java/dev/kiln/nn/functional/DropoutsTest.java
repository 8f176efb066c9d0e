package dev.kiln.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The Dropouts API: keep rates and scaling measured on large inputs, the same mask for the same seed, channel-wise
 * forms, the p = 0 / evaluation / p = 1 shortcuts, in-place forms and bad input. (PyTorch's masks come from another
 * random stream, so masks are not compared with PyTorch's.)
 */
class DropoutsTest {
  private static final int N = 100_000;

  private static Tensor ones(long... shape) {
    return Tensor.ones(DType.FLOAT64, shape);
  }

  @Test
  void dropoutKeepsOneMinusPAndScalesTheKept() {
    Tensor y = Dropouts.dropout(ones(N), 0.2, true, false, new Generator(1));
    double[] v = y.toDoubleArray();
    int kept = 0;
    for (double e : v) {
      assertTrue(e == 0 || Math.abs(e - 1.25) < 1e-15, "kept values are scaled by 1 / (1 - p): " + e);
      if (e != 0) kept++;
    }
    // within 5 standard deviations (0.0063) of 0.8
    assertEquals(0.8, kept / (double) N, 0.0063);
  }

  @Test
  void aSeededGeneratorGivesTheSameMask() {
    Tensor x = Tensor.rand(new Generator(3), DType.FLOAT32, 1000);
    Tensor a = Dropouts.dropout(x, 0.5, true, false, new Generator(42));
    Tensor b = Dropouts.dropout(x, 0.5, true, false, new Generator(42));
    assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
    Generator g = new Generator(42);
    Dropouts.dropout(x, 0.5, true, false, g);
    Tensor c = Dropouts.dropout(x, 0.5, true, false, g); // the generator moved on
    assertTrue(a.sub(c).abs().sum().item() > 0);
  }

  @Test
  void shortcutsReturnTheInputOrZeros() {
    Tensor x = Tensor.of(new double[] {1, Double.NaN, 3});
    assertArrayEquals(x.toDoubleArray(), Dropouts.dropout(x, 0.0).toDoubleArray(), 0.0);
    assertArrayEquals(x.toDoubleArray(), Dropouts.dropout(x, 0.9, false).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0, Double.NaN, 0}, Dropouts.dropout(x, 1.0).toDoubleArray(), 0.0); // x * 0
    assertArrayEquals(x.toDoubleArray(), Dropouts.alphaDropout(x).toDoubleArray(), 0.0); // not training by default
    Tensor leaf = ones(4).requiresGrad(true);
    assertSame(leaf, Dropouts.dropout(leaf, 0.5, false, true, null)); // in place, evaluation: the input itself
  }

  @Test
  void channelFormsDropWholeChannels() {
    Tensor y = Dropouts.dropout2d(ones(20, 30, 4, 4), 0.5, true, false, new Generator(5));
    double[] v = y.toDoubleArray();
    int dropped = 0;
    for (int c = 0; c < 600; c++) {
      double first = v[c * 16];
      for (int i = 1; i < 16; i++) assertEquals(first, v[c * 16 + i], 0.0, "channel " + c);
      if (first == 0) dropped++;
      else assertEquals(2.0, first, 0.0);
    }
    assertTrue(dropped > 240 && dropped < 360, "dropped " + dropped + " of 600 channels");
    Tensor unbatched = Dropouts.dropout1d(ones(40, 8), 0.5, true, false, new Generator(6)); // [C, L]
    double[] u = unbatched.toDoubleArray();
    for (int c = 0; c < 40; c++) for (int i = 1; i < 8; i++) assertEquals(u[c * 8], u[c * 8 + i], 0.0);
  }

  @Test
  void alphaDropoutKeepsAStandardNormalStandard() {
    Tensor x = Tensor.randn(new Generator(7), DType.FLOAT64, 400_000);
    Tensor y = Dropouts.alphaDropout(x, 0.3, true, false, new Generator(8));
    assertEquals(0.0, y.mean().item(), 0.01);
    assertEquals(1.0, y.var().item(), 0.015);
  }

  @Test
  void inPlaceWritesIntoTheInput() {
    Tensor x = ones(1000);
    Tensor y = Dropouts.dropout(x, 0.5, true, true, new Generator(9));
    assertSame(x, y);
    double[] v = x.toDoubleArray();
    assertTrue(java.util.Arrays.stream(v).anyMatch(e -> e == 0) && java.util.Arrays.stream(v).anyMatch(e -> e == 2));
  }

  @Test
  void badInputIsRefused() {
    Tensor x = ones(3, 4);
    IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> Dropouts.dropout(x, 1.5));
    assertTrue(p.getMessage().contains("dropout probability has to be between 0 and 1, but got 1.5"), p.getMessage());
    IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> Dropouts.dropout1d(ones(2, 3, 4, 5)));
    assertTrue(d.getMessage().startsWith("dropout1d: Expected 2D or 3D input, but received a 4D input"), d.getMessage());
    Tensor ints = Tensor.of(new long[] {1, 2});
    DTypeException e = assertThrows(DTypeException.class, () -> Dropouts.dropout(ints, 0.5));
    assertTrue(e.getMessage().contains("dropout"), e.getMessage());
    assertArrayEquals(new long[] {1, 2}, ints.toLongArray());
    assertThrows(dev.kiln.ShapeException.class, () -> Dropouts.dropout2d(ones(4), 0.5, true));
  }
}
