package dev.kiln;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.nn.Linear;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leak report names the line that made each tensor still open, and forgets closed and scoped ones. */
class LeakTrackerTest {
  @AfterEach
  void off() {
    Kiln.setLeakTracking(false);
  }

  private static Tensor leak() {
    return Tensor.ones(3, 4); // the line the report must name
  }

  @Test
  void reportsOpenTensorsWithTheLineThatMadeThem() {
    Kiln.setLeakTracking(true);
    Tensor leaked = leak();
    Tensor closed = Tensor.zeros(2);
    closed.close();
    try (TensorScope scope = TensorScope.open()) {
      Tensor.ones(5).exp(); // released by the scope
    }
    String report = Kiln.leakReport();
    assertTrue(report.startsWith("1 tensor(s) still open:"), report);
    assertTrue(report.contains(DType.FLOAT32 + " [3, 4], created"), report);
    assertTrue(report.contains("at dev.kiln.LeakTrackerTest.leak(LeakTrackerTest.java:"), "names the leaking line: " + report);
    assertFalse(report.contains("at dev.kiln.Tensor."), "Kiln's own frames are left out: " + report);
    leaked.close();
    assertEquals("", Kiln.leakReport());
  }

  @Test
  void framesInsideKilnPointAtTheCaller() {
    Kiln.setLeakTracking(true);
    Linear fc = new Linear(2, 2); // its parameters are made inside Kiln, for this line
    String report = Kiln.leakReport();
    assertTrue(report.contains("at dev.kiln.LeakTrackerTest.framesInsideKilnPointAtTheCaller(LeakTrackerTest.java:"), report);
    fc.close();
  }

  @Test
  void offMeansNothingIsRecorded() {
    Tensor t = Tensor.ones(1);
    assertFalse(Kiln.leakReport().contains("[1]"));
    t.close();
  }
}
