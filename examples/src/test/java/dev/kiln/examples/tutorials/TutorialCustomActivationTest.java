package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.examples.tutorials.CustomActivation.Result;
import org.junit.jupiter.api.Test;

/** Expected values: PyTorch 1.13, tools/tutorials/custom_activation.py. */
class TutorialCustomActivationTest {
  @Test
  void swishModuleMatchesPyTorch() {
    Result r = CustomActivation.run();
    assertArrayEquals(new float[] {-0.03296082839369774f, -0.18242552876472473f, 0f, 0.33958935737609863f, 1.9051482677459717f},
        r.swish(), 1e-6f);
    assertArrayEquals(new float[] {-0.03791109099984169f, -0.041294172406196594f, 0.5f, 0.8425999879837036f, 1.0881041288375854f},
        r.swishGradX(), 1e-6f);
    assertEquals(0.48212292790412903, r.swishGradBeta(), 1e-6);
  }

  @Test
  void siluFunctionMatchesTorchSilu() {
    Result r = CustomActivation.run();
    assertArrayEquals(new float[] {-0.14227761328220367f, -0.2689414322376251f, 0f, 0.3112296760082245f, 1.7615940570831299f},
        r.silu(), 1e-6f);
    assertArrayEquals(new float[] {-0.08810410648584366f, 0.07232948392629623f, 0.5f, 0.7399612069129944f, 1.0907843112945557f},
        r.siluGradX(), 1e-6f);
  }

  @Test
  void handWrittenBackwardPassesGradcheckAndGradgradcheck() {
    assertTrue(CustomActivation.backwardMatchesFiniteDifferences());
  }
}
