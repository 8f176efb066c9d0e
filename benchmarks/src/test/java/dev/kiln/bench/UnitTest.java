package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UnitTest {
  @Test
  void figuresFromNanosecondsPerCall() {
    assertEquals(0.5, Unit.MICROS_PER_OP.figure(500_000, 1000), 1e-12); // 1,000 ops in 0.5 ms
    assertEquals(2.5, Unit.MILLIS.figure(2_500_000, 1), 1e-12);
    assertEquals(200, Unit.GFLOPS.figure(10_000_000, 2e9), 1e-9); // 2 GFLOP in 10 ms
    assertEquals(20, Unit.GBPS.figure(10_000_000, 2e8), 1e-9); // 200 MB in 10 ms
    assertEquals(6400, Unit.SAMPLES_PER_S.figure(10_000_000, 64), 1e-9); // 64 samples in 10 ms
  }

  @Test
  void directionOfEachUnit() {
    assertFalse(Unit.MICROS_PER_OP.higherIsFaster());
    assertFalse(Unit.MILLIS.higherIsFaster());
    assertTrue(Unit.GFLOPS.higherIsFaster());
    assertTrue(Unit.SAMPLES_PER_S.higherIsFaster());
  }
}
