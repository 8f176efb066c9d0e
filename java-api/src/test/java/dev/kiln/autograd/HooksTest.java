package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hooks written in Java: read and replace gradients, removal, intermediate tensors, retainGrad, errors. */
class HooksTest {
  @Test
  void aHookCanInspectAndScaleTheGradient() {
    Tensor w = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
    List<double[]> seen = new ArrayList<>();
    RemovableHandle handle = w.registerHook(g -> {
      seen.add(g.toDoubleArray());
      return g.mul(0.5);
    });
    w.mul(4).sum().backward();
    assertArrayEquals(new double[] {4, 4, 4}, seen.get(0));
    assertArrayEquals(new double[] {2, 2, 2}, w.grad().toDoubleArray());
    handle.remove();
    handle.remove(); // twice is harmless
    w.setGrad(null);
    w.mul(4).sum().backward();
    assertEquals(1, seen.size(), "removed hooks are not called");
    assertArrayEquals(new double[] {4, 4, 4}, w.grad().toDoubleArray());
  }

  @Test
  void hooksOnIntermediateTensorsAndRetainGrad() {
    Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    Tensor h = x.mul(x).retainGrad();
    List<double[]> seen = new ArrayList<>();
    h.registerHook(g -> {
      seen.add(g.toDoubleArray());
      return null; // keep
    });
    h.mul(3).sum().backward();
    assertArrayEquals(new double[] {3, 3}, seen.get(0));
    assertTrue(h.retainsGrad());
    assertArrayEquals(new double[] {3, 3}, h.grad().toDoubleArray());
    assertArrayEquals(new double[] {6, 12}, x.grad().toDoubleArray());
  }

  @Test
  void aHookThatThrowsReachesTheCallerAndEverythingStaysUsable() {
    Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    Tensor y = x.mul(2);
    y.registerHook(g -> {
      throw new IllegalStateException("hook failed on purpose");
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
    assertEquals("hook failed on purpose", e.getMessage());
    x.mul(5).sum().backward();
    assertArrayEquals(new double[] {5, 5}, x.grad().toDoubleArray());
  }
}
