package dev.kiln.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** torch.nn.init's functions: gains, fans, bounds and moments, orthogonality, the deterministic fills, errors. */
class InitTest {
  private static double std(double[] v) {
    double m = Arrays.stream(v).average().orElseThrow();
    return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
  }

  private static double maxAbs(double[] v) {
    return Arrays.stream(v).map(Math::abs).max().orElseThrow();
  }

  @Test
  void gains() {
    assertEquals(1, Init.calculateGain("linear"));
    assertEquals(1, Init.calculateGain("conv_transpose2d"));
    assertEquals(1, Init.calculateGain("sigmoid"));
    assertEquals(5.0 / 3, Init.calculateGain("tanh"));
    assertEquals(Math.sqrt(2), Init.calculateGain("relu"));
    assertEquals(Math.sqrt(2 / (1 + 1e-4)), Init.calculateGain("leaky_relu"));
    assertEquals(Math.sqrt(2 / 1.25), Init.calculateGain("leaky_relu", 0.5));
    assertEquals(0.75, Init.calculateGain("selu"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("gelu"));
    assertTrue(e.getMessage().contains("Unsupported nonlinearity gelu"), e.getMessage());
  }

  @Test
  void fans() {
    assertArrayEquals(new long[] {3 * 5 * 5, 16 * 5 * 5}, Init.fans("test", Tensor.empty(16, 3, 5, 5)));
    assertArrayEquals(new long[] {64, 128}, Init.fans("test", Tensor.empty(128, 64)));
    assertThrows(IllegalArgumentException.class, () -> Init.fans("test", Tensor.empty(4)));
  }

  @Test
  void xavierAndKaimingScaleByTheFans() {
    try (Generator g = new Generator(1)) {
      Tensor w = Tensor.empty(200, 300);
      double bound = Math.sqrt(6.0 / 500);
      double[] u = Init.xavierUniform_(w, 1.0, g).toDoubleArray();
      assertTrue(maxAbs(u) <= bound && maxAbs(u) > 0.99 * bound);
      assertEquals(bound / Math.sqrt(3), std(u), 0.01 * bound);
      assertEquals(2 * Math.sqrt(2.0 / 500), std(Init.xavierNormal_(w, 2.0, g).toDoubleArray()), 0.01 * Math.sqrt(2.0 / 500) * 2);
      Tensor conv = Tensor.empty(DType.FLOAT64, 64, 16, 3, 3);
      double kb = Math.sqrt(2) * Math.sqrt(3.0 / (16 * 9));  // relu gain, fan_in 144
      double[] k = Init.kaimingUniform_(conv, 0, "fan_in", "relu", g).toDoubleArray();
      assertTrue(maxAbs(k) <= kb && maxAbs(k) > 0.99 * kb);
      double kn = Math.sqrt(2) / Math.sqrt(64 * 9);  // fan_out 576
      assertEquals(kn, std(Init.kaimingNormal_(conv, 0, "fan_out", "relu", g).toDoubleArray()), 0.02 * kn);
      // PyTorch's nn.Linear default: a = sqrt(5) gives bound 1 / sqrt(fan_in).
      double[] lin = Init.kaimingUniform_(w, Math.sqrt(5), "fan_in", "leaky_relu", g).toDoubleArray();
      assertTrue(maxAbs(lin) <= 1 / Math.sqrt(300) + 1e-9 && maxAbs(lin) > 0.99 / Math.sqrt(300));
    }
  }

  @Test
  void truncNormalStaysInItsBounds() {
    try (Generator g = new Generator(2)) {
      double[] v = Init.truncNormal_(Tensor.empty(DType.FLOAT64, 100000), 0.5, 2.0, -1.0, 1.5, g).toDoubleArray();
      assertTrue(Arrays.stream(v).allMatch(x -> x >= -1 && x <= 1.5));
      double[] d = Init.truncNormal_(Tensor.empty(100000), 0, 1, -2, 2, g).toDoubleArray();
      assertTrue(Arrays.stream(d).allMatch(x -> x >= -2 && x <= 2));
      assertEquals(0.8796, std(d), 0.01);  // the standard normal truncated to [-2, 2]
    }
  }

  @Test
  void orthogonalIsOrthonormal() {
    try (Generator g = new Generator(3)) {
      for (long[] shape : new long[][] {{6, 4}, {4, 6}, {3, 2, 2}}) {
        Tensor w = Init.orthogonal_(Tensor.empty(DType.FLOAT64, shape), 1.5, g);
        Tensor m = w.reshape(shape[0], -1).div(1.5);
        Tensor gram = shape[0] >= m.size(1) ? m.t().matmul(m) : m.matmul(m.t());
        long k = Math.min(shape[0], m.size(1));
        assertArrayEquals(Tensor.eye(DType.FLOAT64, k, k).toDoubleArray(), gram.toDoubleArray(), 1e-12);
      }
    }
    assertThrows(ShapeException.class, () -> Init.orthogonal_(Tensor.empty(5)));
  }

  @Test
  void deterministicFills() {
    assertArrayEquals(new double[] {0.5, 0.5}, Init.constant_(Tensor.empty(2), 0.5).toDoubleArray());
    assertArrayEquals(new double[] {1, 1}, Init.ones_(Tensor.empty(2)).toDoubleArray());
    assertArrayEquals(new double[] {0, 0}, Init.zeros_(Tensor.ones(2)).toDoubleArray());
    assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, Init.eye_(Tensor.empty(2, 3)).toDoubleArray());
    // dirac_: output channel c copies input channel c at the kernel's center.
    double[] d = Init.dirac_(Tensor.empty(2, 2, 3)).toDoubleArray();
    assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}, d);
    double[] grouped = Init.dirac_(Tensor.empty(4, 1, 1), 2).toDoubleArray();
    assertArrayEquals(new double[] {1, 0, 1, 0}, grouped);
    assertThrows(IllegalArgumentException.class, () -> Init.eye_(Tensor.empty(2, 2, 2)));
    assertThrows(IllegalArgumentException.class, () -> Init.dirac_(Tensor.empty(2, 2)));
    assertThrows(IllegalArgumentException.class, () -> Init.dirac_(Tensor.empty(3, 2, 2), 2));
  }

  @Test
  void parametersStayLeavesAndTheSameSeedGivesTheSameWeights() {
    Tensor w = Tensor.empty(4, 5).requiresGrad(true);
    int version = w.version();
    assertSame(w, Init.kaimingNormal_(w));
    assertTrue(w.isLeaf() && w.requiresGrad());
    assertNull(w.gradFn());
    assertTrue(w.version() > version);
    double[] a, b;
    try (Generator g = new Generator(9)) {
      a = Init.xavierUniform_(Tensor.empty(3, 3), 1.0, g).toDoubleArray();
    }
    try (Generator g = new Generator(9)) {
      b = Init.xavierUniform_(Tensor.empty(3, 3), 1.0, g).toDoubleArray();
    }
    assertArrayEquals(a, b);
  }

  @Test
  void badArguments() {
    IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
        () -> Init.kaimingUniform_(Tensor.empty(3, 3), 0, "fan_avg", "relu"));
    assertTrue(mode.getMessage().contains("kaiming_uniform_: Mode fan_avg not supported"), mode.getMessage());
    IllegalArgumentException fans = assertThrows(IllegalArgumentException.class, () -> Init.xavierNormal_(Tensor.empty(3)));
    assertTrue(fans.getMessage().contains("xavier_normal_: Fan in and fan out"), fans.getMessage());
  }
}
