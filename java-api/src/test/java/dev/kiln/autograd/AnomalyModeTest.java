package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.AutogradException;
import dev.kiln.DType;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** Anomaly mode names the node whose backward made a NaN and where its forward was called from. */
class AnomalyModeTest {
  @Test
  void nanInBackwardNamesTheOpAndTheForwardCall() {
    Tensor x = Tensor.scalar(0.0, DType.FLOAT64).requiresGrad(true);
    try (ModeScope anomaly = Autograd.detectAnomaly()) {
      Tensor y = x.sqrt().mul(0); // forward 0; backward: 0 / (2 sqrt(0)) = NaN
      AutogradException e = assertThrows(AutogradException.class, y::backward);
      assertTrue(e.getMessage().contains("function 'SqrtBackward0' returned nan values"), e.getMessage());
      assertTrue(e.getMessage().contains("nanInBackwardNamesTheOpAndTheForwardCall"), e.getMessage());
    }
    assertFalse(Autograd.isAnomalyEnabled());
    x.sqrt().mul(0).backward(); // without anomaly mode the NaN simply flows
    assertTrue(Double.isNaN(x.grad().item()));
  }
}
