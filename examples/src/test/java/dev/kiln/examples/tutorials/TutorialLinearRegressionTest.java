package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.examples.tutorials.LinearRegression.Fit;
import org.junit.jupiter.api.Test;

/** Expected values: PyTorch 1.13, tools/tutorials/linear_regression.py, on the same data. */
class TutorialLinearRegressionTest {
  private static final double TOL = 1e-5;

  @Test
  void dataIsTheSeededNoiseThePythonScriptCopies() {
    float[] y = LinearRegression.data()[1].toFloatArray();
    // y[0] = 3 * -1 - 2 + 0.2 * 0.73792565: a different noise would make every other number here wrong.
    assertEquals(-5 + 0.2 * 0.73792565, y[0], 1e-6);
    assertEquals(3 * 0.9375 - 2 + 0.2 * 0.46820998, y[31], 1e-6);
  }

  @Test
  void handWrittenLoopFollowsPyTorch() {
    Fit fit = LinearRegression.byHand(100, 0.2);
    assertLosses(fit, 7.511652, 3.8696578, 0.22089854, 0.054000802);
    // The least-squares line of the data is 3.0474867 x - 1.9940122.
    assertEquals(3.0474849, fit.weight(), TOL);
    assertEquals(-1.9940124, fit.bias(), TOL);
  }

  @Test
  void sgdTakesTheSameStepsAsTheHandWrittenLoop() {
    Fit fit = LinearRegression.withSgd(100, 0.2);
    assertLosses(fit, 7.511652, 3.8696578, 0.22089854, 0.054000802);
    assertEquals(3.0474849, fit.weight(), TOL);
    assertEquals(-1.9940124, fit.bias(), TOL);
    assertArrayEquals(LinearRegression.byHand(100, 0.2).losses(), fit.losses(), 1e-6);
  }

  @Test
  void adamFollowsPyTorch() {
    Fit fit = LinearRegression.withAdam(100, 0.1);
    assertLosses(fit, 7.511652, 6.8917427, 2.6418037, 0.054268427);
    assertEquals(3.0305171, fit.weight(), TOL);
    assertEquals(-2.006433, fit.bias(), TOL);
  }

  private static void assertLosses(Fit fit, double first, double second, double tenth, double last) {
    double[] l = fit.losses();
    assertEquals(first, l[0], TOL * first);
    assertEquals(second, l[1], TOL * second);
    assertEquals(tenth, l[10], TOL * tenth);
    assertEquals(last, l[99], TOL * last);
  }
}
