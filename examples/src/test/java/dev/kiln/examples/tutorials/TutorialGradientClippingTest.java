package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.examples.tutorials.GradientClipping.Run;
import org.junit.jupiter.api.Test;

/** Expected values: PyTorch 1.13, tools/tutorials/gradient_clipping.py. */
class TutorialGradientClippingTest {
  @Test
  void clippingByNormCapsTheTotalNorm() {
    Run run = GradientClipping.byNorm(100, 10);
    assertEquals(201.7262, run.normsBefore()[0], 1e-3);
    assertEquals(188.37071, run.normsBefore()[1], 1e-3);
    assertEquals(10, run.normsAfter()[0], 1e-5);
    assertEquals(10, run.normsAfter()[1], 1e-5);
    // Once the gradients are small, clipping leaves them alone.
    assertEquals(0.11723103, run.normsBefore()[99], 1e-5);
    assertEquals(run.normsBefore()[99], run.normsAfter()[99]);
    assertEquals(15, clippedSteps(run), "PyTorch clips the first 15 steps");
    assertEquals(308.33594, run.losses()[0], 1e-3);
    assertEquals(269.32626, run.losses()[1], 1e-3);
    assertEquals(0.0034461655, run.losses()[99], 1e-6);
    assertEquals(3.0005443, run.weight(), 1e-5);
    assertEquals(-1.9435548, run.bias(), 1e-5);
  }

  @Test
  void clippingByValueClampsEachElement() {
    Run run = GradientClipping.byValue(100, 5);
    assertEquals(201.7262, run.normsBefore()[0], 1e-3);
    assertEquals(194.97923, run.normsBefore()[1], 1e-3);
    // Both gradients clamped to 5 in size: the norm is 5 sqrt(2).
    assertEquals(5 * Math.sqrt(2), run.normsAfter()[0], 1e-5);
    assertEquals(0.038935561, run.normsBefore()[99], 1e-6);
    assertEquals(30, clippedSteps(run), "PyTorch clips the first 30 steps");
    assertEquals(287.9346, run.losses()[1], 1e-3);
    assertEquals(0.00038014023, run.losses()[99], 1e-7);
    assertEquals(3.0001807, run.weight(), 1e-5);
    assertEquals(-1.9812527, run.bias(), 1e-5);
  }

  private static int clippedSteps(Run run) {
    int n = 0;
    for (int i = 0; i < run.normsBefore().length; i++) if (run.normsAfter()[i] < run.normsBefore()[i] - 1e-6) n++;
    return n;
  }
}
