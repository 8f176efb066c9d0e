package dev.kiln.nn.utils;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gradient clipping and parameter vectors; expected values printed by torch.nn.utils 2.x. */
class ClipGradTest {
  private static List<Tensor> params() {
    Tensor a = Tensor.zeros(2, 2).requiresGrad(true);
    Tensor b = Tensor.zeros(2).requiresGrad(true);
    a.setGrad(Tensor.of(new float[] {3, -4, 1, 2}, 2, 2));
    b.setGrad(Tensor.of(new float[] {0.5f, -12}, 2));
    return List.of(a, b);
  }

  private static void assertGrad(double[] expected, Tensor p) {
    assertArrayEquals(expected, p.grad().toDoubleArray(), 1e-6);
  }

  @Test
  void clipsByTheTotalTwoNorm() {
    List<Tensor> ps = params();
    assertEquals(13.20037841796875, ClipGrad.clipGradNorm(ps, 5), 1e-5);
    assertGrad(new double[] {1.13633084, -1.51510787, 0.37877697, 0.75755394}, ps.get(0));
    assertGrad(new double[] {0.18938848, -4.54532337}, ps.get(1));
  }

  @Test
  void clipsByTheMaxNorm() {
    List<Tensor> ps = params();
    assertEquals(12.0, ClipGrad.clipGradNorm(ps, 5, Double.POSITIVE_INFINITY, false), 0);
    assertGrad(new double[] {1.24999988, -1.66666651, 0.41666663, 0.83333325}, ps.get(0));
    assertGrad(new double[] {0.20833331, -4.99999952}, ps.get(1));
  }

  @Test
  void leavesGradientsBelowTheLimitAlone() {
    List<Tensor> ps = params();
    assertEquals(22.5, ClipGrad.clipGradNorm(ps, 100, 1, false), 1e-5);
    assertGrad(new double[] {3, -4, 1, 2}, ps.get(0));
    assertGrad(new double[] {0.5, -12}, ps.get(1));
  }

  @Test
  void nonFiniteNormRaisesWhenAsked() {
    List<Tensor> ps = params();
    ps.get(1).setGrad(Tensor.of(new float[] {Float.NaN, 1}, 2));
    assertThrows(IllegalStateException.class, () -> ClipGrad.clipGradNorm(ps, 5, 2, true));
    assertTrue(Double.isNaN(ClipGrad.clipGradNorm(ps, 5, 2, false)));
  }

  @Test
  void clipsByValue() {
    List<Tensor> ps = params();
    ClipGrad.clipGradValue(ps, 2.5);
    assertGrad(new double[] {2.5, -2.5, 1, 2}, ps.get(0));
    assertGrad(new double[] {0.5, -2.5}, ps.get(1));
    assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradValue(ps, -1));
  }

  @Test
  void parameterVectorsRoundTrip() {
    List<Tensor> ps = List.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Tensor.of(new float[] {5, 6}, 2));
    Tensor v = ParameterVectors.parametersToVector(ps);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, v.toFloatArray());
    ParameterVectors.vectorToParameters(v.mul(10), ps);
    assertArrayEquals(new float[] {10, 20, 30, 40}, ps.get(0).toFloatArray());
    assertArrayEquals(new long[] {2, 2}, ps.get(0).shape());
    assertArrayEquals(new float[] {50, 60}, ps.get(1).toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> ParameterVectors.vectorToParameters(Tensor.zeros(7), ps));
    assertThrows(IllegalArgumentException.class, () -> ParameterVectors.vectorToParameters(Tensor.zeros(5), ps));
  }
}
