package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.examples.tutorials.SecondOrderGradients.Hvp;
import org.junit.jupiter.api.Test;

/** Expected values: PyTorch 1.13 in float64, tools/tutorials/second_order.py. */
class TutorialSecondOrderGradientsTest {
  @Test
  void newtonIteratesMatchPyTorch() {
    assertArrayEquals(new double[] {1.5, 1.23809523809524, 1.14427717665917, 1.13115309010645, 1.13090121475083, 1.13090112263},
        SecondOrderGradients.newton(6), 1e-12);
  }

  @Test
  void newtonConvergesToAStationaryPointWithPositiveCurvature() {
    double x = SecondOrderGradients.newton(8)[7];
    assertEquals(0, 4 * x * x * x - 6 * x + 1, 1e-12);
    assertTrue(12 * x * x - 6 > 0);
  }

  @Test
  void hessianVectorProductMatchesPyTorch() {
    Hvp h = SecondOrderGradients.hessianVectorProduct();
    assertEquals(0.602931889698744, h.loss(), 1e-12);
    assertArrayEquals(new double[] {-0.501581185546666, 0.216323888221967, 0.243121398472692, -0.219590752513773,
        -0.198425720578591, 0.0826095486269501, 0.0265568083547069, -0.115008365363294, 0.00921819759742817,
        -0.520948144075767, -0.523096061734756, 0.619139962733229, -0.0589962905207681}, h.gradient(), 1e-12);
    assertArrayEquals(new double[] {0.0617144858644996, 0.168679594802615, -0.162746423792043, -0.0403224931383384,
        -0.219266084072668, 0.00483058300154057, 0.175405414688829, -0.118043222985219, -0.108251827381659,
        0.0275771832535072, 0.137806342287711, -0.105610551557573, 0.229724370825705}, h.hessianTimesV(), 1e-12);
  }
}
