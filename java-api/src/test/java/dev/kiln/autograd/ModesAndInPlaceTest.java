package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.AutogradException;
import dev.kiln.Tensor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Grad mode scopes, inference mode, detach, version counters and the in-place rules. */
class ModesAndInPlaceTest {
  @Test
  void noGradAndEnableGradNest() {
    Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    assertTrue(Autograd.isGradEnabled());
    try (ModeScope outer = Autograd.noGrad()) {
      assertFalse(Autograd.isGradEnabled());
      assertFalse(x.mul(2).requiresGrad());
      try (ModeScope inner = Autograd.enableGrad()) {
        assertTrue(x.mul(2).requiresGrad());
      }
      assertFalse(Autograd.isGradEnabled());
    }
    assertTrue(Autograd.isGradEnabled());
  }

  @Test
  void gradModeIsThreadLocal() throws InterruptedException {
    AtomicBoolean otherThreadRecords = new AtomicBoolean();
    Tensor x = Tensor.of(new double[] {1}).requiresGrad(true);
    try (ModeScope g = Autograd.noGrad()) {
      Thread t = new Thread(() -> otherThreadRecords.set(x.mul(2).requiresGrad()));
      t.start();
      t.join();
    }
    assertTrue(otherThreadRecords.get(), "noGrad on one thread does not affect another");
  }

  @Test
  void inferenceModeMarksTensors() {
    Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    Tensor y;
    try (ModeScope inf = Autograd.inferenceMode()) {
      assertFalse(Autograd.isGradEnabled());
      y = x.mul(2);
      assertTrue(y.isInference());
      assertFalse(y.requiresGrad());
    }
    assertFalse(x.isInference());
    AutogradException e = assertThrows(AutogradException.class, () -> y.mul(x));
    assertTrue(e.getMessage().contains("inference tensors cannot be saved for backward"), e.getMessage());
    assertThrows(AutogradException.class, () -> y.add_(1));
  }

  @Test
  void detachSharesMemoryWithoutHistory() {
    Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    Tensor y = x.mul(3);
    Tensor d = y.detach();
    assertFalse(d.requiresGrad());
    assertTrue(d.isLeaf());
    assertEquals(y.dataAddress(), d.dataAddress());
    y.detach_();
    assertTrue(y.isLeaf());
    assertNull(y.gradFn());
  }

  @Test
  void inPlaceBumpsTheVersion() {
    Tensor t = Tensor.zeros(3);
    int v = t.version();
    t.add_(1);
    t.mul_(2);
    assertEquals(v + 2, t.version());
    Tensor view = t.narrow(0, 0, 2);
    view.fill_(5);
    assertEquals(v + 3, t.version(), "views share the version counter");
  }

  @Test
  void aSavedTensorModifiedInPlaceMakesBackwardFail() {
    Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    Tensor e = x.exp(); // exp saves its output
    Tensor y = e.sum();
    e.mul_(2);
    AutogradException err = assertThrows(AutogradException.class, y::backward);
    assertTrue(err.getMessage().startsWith("exp: one of the variables needed for gradient computation has been "
        + "modified by an inplace operation"), err.getMessage());
    // The graph that was not touched still works.
    x.exp().sum().backward();
    assertNotNull(x.grad());
  }

  @Test
  void inPlaceOnALeafThatRequiresGradIsRefusedOutsideNoGrad() {
    Tensor w = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    AutogradException e = assertThrows(AutogradException.class, () -> w.sub_(0.1));
    assertTrue(e.getMessage().contains("leaf tensor that requires grad"), e.getMessage());
    assertArrayEquals(new double[] {1, 2}, w.toDoubleArray(), "unchanged");
    try (ModeScope g = Autograd.noGrad()) {
      w.sub_(0.5);
    }
    assertArrayEquals(new double[] {0.5, 1.5}, w.toDoubleArray());
  }

  @Test
  void inPlaceOnANonLeafIsDifferentiated() {
    Tensor x = Tensor.of(new double[] {0.5, 1}).requiresGrad(true);
    Tensor y = x.mul(2);
    y.tanh_(); // y = tanh(2x), recorded
    y.mul_(3); // y = 3 tanh(2x)
    y.sum().backward();
    for (int i = 0; i < 2; i++) {
      double v = new double[] {0.5, 1}[i], t = Math.tanh(2 * v);
      assertEquals(3 * 2 * (1 - t * t), x.grad().toDoubleArray()[i], 1e-12);
    }
    // As in PyTorch: mul_ saves its operand, which here is the tensor being overwritten.
    Tensor z = x.mul(2);
    z.mul_(z);
    assertThrows(AutogradException.class, () -> z.sum().backward());
  }

  @Test
  void inPlaceOnAViewOfANonLeafIsDifferentiated() {
    Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
    Tensor y = x.mul(1);
    Tensor v = y.narrow(0, 0, 2);
    v.mul_(2); // y = [2x0, 2x1, x2]: PyTorch's CopySlices rebases y's history
    assertEquals("CopySlices", y.gradFn().name());
    y.pow(2L).sum().backward();
    assertArrayEquals(new double[] {8, 16, 6}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void inPlaceOnAViewOfALeafThatRequiresGradIsRefused() {
    Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
    AutogradException e = assertThrows(AutogradException.class, () -> x.narrow(0, 0, 2).mul_(2));
    assertTrue(e.getMessage().contains("mul_: a view of a leaf tensor that requires grad"), e.getMessage());
    assertArrayEquals(new double[] {1, 2, 3}, x.toDoubleArray(), "unchanged");
  }
}
