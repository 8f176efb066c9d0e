package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The LSTM learns the sine wave: its error on unseen clean windows beats the naive forecast's by far. */
class TutorialSineWaveLstmTest {
  @Test
  void learnsToForecastTheWave() {
    SineWaveLstm.Result r = SineWaveLstm.run(300);
    assertTrue(r.losses()[299] < r.losses()[0] / 50, "training MSE falls: " + r.losses()[0] + " -> " + r.losses()[299]);
    assertTrue(r.losses()[299] < 0.01, "near the noise floor (0.0025): " + r.losses()[299]);
    assertTrue(r.testMse() < r.naiveMse() / 5, "test MSE " + r.testMse() + " vs naive " + r.naiveMse());
    for (int i = 0; i < 20; i++)
      assertEquals(r.truth()[i], r.forecast()[i], 0.2, "free-running forecast, step " + (i + 1));
  }

  @Test
  void sameSeedSameRun() {
    assertArrayEquals(SineWaveLstm.run(20).losses(), SineWaveLstm.run(20).losses());
  }
}
