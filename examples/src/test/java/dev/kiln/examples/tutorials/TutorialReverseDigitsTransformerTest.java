package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The encoder learns to reverse unseen digit sequences, far above chance, and only with positional encodings. */
class TutorialReverseDigitsTransformerTest {
  @Test
  void learnsToReverse() {
    ReverseDigitsTransformer.Result r = ReverseDigitsTransformer.run(200);
    double first = r.losses()[0], last = r.losses()[199];
    assertTrue(first > 2, "starts near ln 10 = 2.3: " + first);
    assertTrue(last < first / 10, "loss falls: " + first + " -> " + last);
    assertTrue(r.accuracies()[0] < 0.2, "starts near chance: " + r.accuracies()[0]);
    assertTrue(r.accuracies()[199] > 0.9, "batch accuracy at the end: " + r.accuracies()[199]);
    assertTrue(r.testAccuracy() > 0.95, "accuracy on unseen sequences (chance 0.1): " + r.testAccuracy());
  }

  @Test
  void cannotReverseWithoutPositionalEncodings() {
    ReverseDigitsTransformer.Result r = ReverseDigitsTransformer.run(200, false);
    assertTrue(r.testAccuracy() < 0.6, "attention alone cannot tell the slots apart: " + r.testAccuracy());
  }

  @Test
  void sameSeedSameRun() {
    assertArrayEquals(ReverseDigitsTransformer.run(15).losses(), ReverseDigitsTransformer.run(15).losses());
  }
}
