package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.examples.tutorials.FineTuning.Result;
import org.junit.jupiter.api.Test;

/** Fine-tuning trains the new head only; the frozen body is untouched and helps. */
class TutorialFineTuningTest {
  private static final Result R = FineTuning.run(200);

  @Test
  void frozenWeightsDoNotChangeAndGetNoGradient() {
    assertTrue(R.bodyUnchanged());
    assertTrue(R.bodyGradsNull());
  }

  @Test
  void theOptimizerGetsTheHeadOnly() {
    assertEquals(2, R.trainableCount(), "the new head's weight and bias");
    assertEquals(6, R.parameterCount());
  }

  @Test
  void bothTasksAreLearnt() {
    assertTrue(R.pretrainLosses()[199] < R.pretrainLosses()[0] / 100, "task A");
    assertTrue(R.fineTuneLosses()[199] < R.fineTuneLosses()[0] / 20, "task B");
  }

  @Test
  void pretrainedFeaturesBeatUntrainedOnes() {
    assertTrue(R.fineTuneLosses()[199] < R.untrainedBodyLosses()[199] / 2,
        R.fineTuneLosses()[199] + " vs " + R.untrainedBodyLosses()[199]);
  }

  @Test
  void freezingTheWholeModelLeavesNothingToTrain() {
    var body = FineTuning.body();
    body.requiresGrad(false);
    assertTrue(FineTuning.trainable(body).isEmpty());
    assertFalse(body.call(FineTuning.inputs()).requiresGrad(), "no graph is recorded through frozen layers");
  }
}
