package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.examples.tutorials.ResumeTraining.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resumed run is the uninterrupted run, bit for bit. */
class TutorialResumeTrainingTest {
  @TempDir
  Path dir;

  @Test
  void resumedRunEqualsUninterruptedRun() throws Exception {
    Run whole = ResumeTraining.uninterrupted(6);
    Run resumed = ResumeTraining.resumed(6, 3, dir.resolve("checkpoint.safetensors"));
    assertArrayEquals(whole.weights(), resumed.weights());
    assertArrayEquals(whole.epochLosses(), resumed.epochLosses());
    assertTrue(whole.epochLosses()[5] < whole.epochLosses()[0], "the model trains");
  }

  @Test
  void resumingWithoutTheOptimizerStateWouldDiffer() throws Exception {
    // The check above can fail: restarting Adam from scratch after the same 3 epochs changes the weights.
    Run whole = ResumeTraining.uninterrupted(6);
    ResumeTraining.Trainer first = ResumeTraining.Trainer.create(0);
    var data = ResumeTraining.data();
    for (int epoch = 0; epoch < 3; epoch++) ResumeTraining.trainEpoch(first, data, epoch);
    ResumeTraining.Trainer restarted = ResumeTraining.Trainer.create(42);
    restarted.model().loadStateDict(first.model().stateDict());
    for (int epoch = 3; epoch < 6; epoch++) ResumeTraining.trainEpoch(restarted, data, epoch);
    float[] weights = dev.kiln.nn.utils.ParameterVectors.parametersToVector(restarted.model().parameters()).toFloatArray();
    assertFalse(java.util.Arrays.equals(whole.weights(), weights));
  }

  @Test
  void weightsAloneRoundTripThroughSafeTensors() throws Exception {
    assertTrue(ResumeTraining.weightsRoundTrip(dir.resolve("weights.safetensors")));
  }
}
