package dev.kiln.examples.autograd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The autograd seed examples print the numbers PyTorch prints. */
class SeedExamplesTest {
  @Test
  void quadraticDerivativeIsEight() {
    assertEquals(8.0, QuadraticDerivative.run());
  }

  @Test
  void linearFitReachesTwo() {
    double[] trace = LinearFit.run(20);
    // PyTorch 1.13, same steps: 18.666666, 0.082963, 0.000369 ... theta 2.0
    assertEquals(18.666666, trace[0], 1e-6);
    assertEquals(0.082963, trace[1], 1e-6);
    assertEquals(0.000369, trace[2], 1e-6);
    assertEquals(2.0, trace[20], 1e-6);
  }

  @Test
  void hookSeesAndHalvesTheGradient() {
    List<double[]> r = GradientHooks.run();
    assertArrayEquals(new double[] {2, 4, 6}, r.get(0));
    assertArrayEquals(new double[] {1, 2, 3}, r.get(1));
  }

  @Test
  void clampedExpHasAHandWrittenGradient() {
    double[][] r = ClampedExp.run();
    double e2 = Math.exp(2);
    assertArrayEquals(new double[] {1, Math.E, e2, e2}, r[0], 1e-12);
    assertArrayEquals(new double[] {1, Math.E, 0, 0}, r[1], 1e-12);
  }
}
