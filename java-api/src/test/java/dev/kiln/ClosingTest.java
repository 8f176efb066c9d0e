package dev.kiln;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Use after close and double close, for tensors, modules and optimizers; what closing must not break. */
class ClosingTest {
  @Test
  void aClosedTensorRefusesEveryUseAndClosesTwiceHarmlessly() {
    Tensor t = Tensor.ones(2, 2);
    t.close();
    t.close();
    for (Runnable use : new Runnable[] {() -> t.add(1), () -> t.shape(), () -> t.sum(), () -> t.toFloatArray(), () -> t.view(4),
        () -> t.requiresGrad(true), t::backward, () -> t.add_(1)}) {
      IllegalStateException e = assertThrows(IllegalStateException.class, use::run);
      assertTrue(e.getMessage().contains("tensor"), e.getMessage());
    }
    assertThrows(IllegalStateException.class, () -> Tensor.ones(2).add(t), "as an argument too");
    assertEquals("tensor(<closed>)", t.toString(), "printing still works, for logs and debuggers");
  }

  @Test
  void viewsAndSavedTensorsKeepTheirMemory() {
    Tensor base = Tensor.arange(6).to(DType.FLOAT32);
    Tensor view = base.view(2, 3).narrow(1, 1, 2);
    base.close();
    assertArrayEquals(new float[] {1, 2, 4, 5}, view.toFloatArray(), "the view outlives its base");

    Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
    Tensor h = x.mul(3);
    Tensor y = h.exp().sum(); // exp saves its output, mul saves nothing of h
    h.close();
    y.backward();
    assertArrayEquals(new float[] {(float) (3 * Math.exp(3)), (float) (3 * Math.exp(6))}, x.grad().toFloatArray(), 1e-2f);
  }

  @Test
  void aClosedModuleSaysSo() {
    Linear fc = new Linear(3, 2);
    Sequential net = new Sequential(fc, new ReLU());
    Tensor weight = fc.weight;
    net.close();
    net.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.call(Tensor.ones(1, 3)));
    assertTrue(e.getMessage().contains("Sequential is closed"), e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> fc.call(Tensor.ones(1, 3)));
    assertTrue(e.getMessage().contains("Linear is closed"), e.getMessage());
    assertThrows(IllegalStateException.class, net::parameters);
    assertThrows(IllegalStateException.class, net::stateDict);
    assertThrows(IllegalStateException.class, () -> net.loadStateDict(Map.of()));
    assertThrows(IllegalStateException.class, weight::shape, "its parameters were released");
  }

  @Test
  void aClosedOptimizerSaysSo() {
    Linear fc = new Linear(3, 2);
    Adam opt = new Adam(fc.parameters(), 0.1);
    fc.call(Tensor.ones(1, 3)).sum().backward();
    opt.step();
    opt.close();
    opt.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
    assertTrue(e.getMessage().contains("Adam is closed"), e.getMessage());
    assertThrows(IllegalStateException.class, opt::zeroGrad);
    assertThrows(IllegalStateException.class, opt::stateDict);
    assertEquals(2, fc.weight.dim(), "the parameters stay");
  }
}
