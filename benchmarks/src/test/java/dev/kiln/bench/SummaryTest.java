package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
  @Test
  void medianOfOddCountIsTheMiddleValue() {
    Summary s = Summary.of(List.of(30.0, 10.0, 20.0));
    assertEquals(20.0, s.median());
    assertEquals(1.0, s.spread(), 1e-12); // (30 - 10) / 20
    assertEquals(3, s.count());
  }

  @Test
  void medianOfEvenCountIsTheMeanOfTheTwoMiddleValues() {
    Summary s = Summary.of(List.of(4.0, 1.0, 3.0, 2.0));
    assertEquals(2.5, s.median());
    assertEquals(3.0 / 2.5, s.spread(), 1e-12);
  }

  @Test
  void noSamplesGiveNoSummary() {
    assertNull(Summary.of(List.of()));
    assertNull(Summary.of(null));
  }

  @Test
  void bestSettingIsTheOneOfLowestMedianTime() {
    Samples s = new Samples();
    s.add(Samples.PYTORCH + "default", "w", List.of(30.0, 31.0, 29.0));
    s.add(Samples.PYTORCH + "OMP_WAIT_POLICY=PASSIVE", "w", List.of(10.0, 12.0, 11.0));
    s.add(Samples.PYTORCH + "OPENBLAS_NUM_THREADS=1", "w", List.of(20.0));
    s.add(Samples.BYTEDECO + "default", "w", List.of(1.0));
    Samples.Best best = s.best(Samples.PYTORCH, "w");
    assertEquals("OMP_WAIT_POLICY=PASSIVE", best.setting());
    assertEquals(11.0, best.summary().median());
    assertNull(s.best(Samples.PYTORCH, "other"));
  }
}
