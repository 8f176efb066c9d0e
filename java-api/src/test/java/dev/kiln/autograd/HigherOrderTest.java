package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** Autograd.grad with createGraph: derivatives of derivatives. */
class HigherOrderTest {
  @Test
  void derivativesOfXCubed() {
    Tensor x = Tensor.scalar(2.0, DType.FLOAT64).requiresGrad(true);
    Tensor y = x.pow(3);
    Tensor d1 = Autograd.grad(y, x, true)[0];
    Tensor d2 = Autograd.grad(d1, x, true)[0];
    Tensor d3 = Autograd.grad(d2, x, true)[0];
    assertEquals(12, d1.item(), 1e-12); // 3x^2
    assertEquals(12, d2.item(), 1e-12); // 6x
    assertEquals(6, d3.item(), 1e-12);  // 6
    assertNull(x.grad(), "Autograd.grad does not touch .grad");
    assertTrue(d1.requiresGrad());
  }

  @Test
  void derivativesOfTanh() {
    double v = 0.7;
    Tensor x = Tensor.scalar(v, DType.FLOAT64).requiresGrad(true);
    Tensor d1 = Autograd.grad(x.tanh(), x, true)[0];
    Tensor d2 = Autograd.grad(d1, x, true)[0];
    Tensor d3 = Autograd.grad(d2, x, true)[0];
    double t = Math.tanh(v);
    assertEquals(1 - t * t, d1.item(), 1e-12);
    assertEquals(-2 * t * (1 - t * t), d2.item(), 1e-12);
    assertEquals((1 - t * t) * (6 * t * t - 2), d3.item(), 1e-12);
  }

  @Test
  void hessianVectorProduct() {
    // f(x) = x0^2 x1 + x1^3, H = [[2 x1, 2 x0], [2 x0, 6 x1]]
    Tensor x = Tensor.of(new double[] {1.5, -2}).requiresGrad(true);
    Tensor x0 = x.narrow(0, 0, 1), x1 = x.narrow(0, 1, 1);
    Tensor f = x0.pow(2).mul(x1).add(x1.pow(3)).sum();
    Tensor g = Autograd.grad(f, x, true)[0];
    Tensor v = Tensor.of(new double[] {0.5, 3});
    Tensor hv = Autograd.grad(g.mul(v).sum(), x)[0];
    double a = 1.5, b = -2;
    assertArrayEquals(new double[] {2 * b * 0.5 + 2 * a * 3, 2 * a * 0.5 + 6 * b * 3}, hv.toDoubleArray(), 1e-12);
  }

  @Test
  void backwardWithCreateGraphLeavesADifferentiableGrad() {
    Tensor x = Tensor.scalar(3.0, DType.FLOAT64).requiresGrad(true);
    x.pow(3).backward(null, true, true);
    Tensor g = x.grad(); // 27, with a graph
    assertTrue(g.requiresGrad());
    Tensor[] gg = Autograd.grad(g, x);
    assertEquals(18, gg[0].item(), 1e-12);
  }
}
