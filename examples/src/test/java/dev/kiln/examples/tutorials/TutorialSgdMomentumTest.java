package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Expected values: PyTorch 1.13, tools/tutorials/sgd_momentum.py. */
class TutorialSgdMomentumTest {
  @Test
  void plainSgdCrawls() {
    double[] f = SgdMomentum.run(0, 300);
    assertEquals(50.5, f[0], 1e-5);
    assertEquals(12.98511, f[1], 1e-5);
    assertEquals(0.36961588, f[10], 1e-6);
    assertEquals(0.024334161, f[100], 1e-7);
    // PyTorch: f = 1.0236034e-04 at step 281, 9.9312565e-05 at step 282.
    assertEquals(282, SgdMomentum.stepsTo(1e-4, f));
  }

  @Test
  void momentumConvergesSeveralTimesFaster() {
    double[] f = SgdMomentum.run(0.8, 300);
    assertEquals(2.2182434, f[10], 1e-5);
    assertEquals(1.2214097e-08, f[100], 1e-12);
    assertEquals(41, SgdMomentum.stepsTo(1e-4, f));
  }

  @Test
  void tooMuchMomentumOvershoots() {
    double[] f = SgdMomentum.run(0.9, 300);
    assertEquals(0.34148848, f[10], 1e-6);
    assertEquals(6.2730178e-05, f[100], 1e-9);
    assertEquals(77, SgdMomentum.stepsTo(1e-4, f));
  }
}
