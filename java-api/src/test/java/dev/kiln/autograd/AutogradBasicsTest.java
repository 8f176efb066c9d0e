package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.AutogradException;
import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** requiresGrad, leaves, grad(), gradFn(), backward and its seeds, accumulation, retainGraph, broadcasting. */
class AutogradBasicsTest {
  static Tensor leaf(double... values) {
    return Tensor.of(values).requiresGrad(true);
  }

  @Test
  void leavesAndGradFns() {
    Tensor x = leaf(1, 2, 3);
    assertTrue(x.requiresGrad());
    assertTrue(x.isLeaf());
    assertNull(x.gradFn());
    assertNull(x.grad(), "no grad before a backward");
    Tensor y = x.mul(x);
    assertFalse(y.isLeaf());
    assertTrue(y.requiresGrad());
    assertEquals("MulBackward0", y.gradFn().name());
    assertEquals("SumBackward0", y.sum().gradFn().name());
    assertEquals("tensor([1., 4., 9.], dtype=torch.float64, grad_fn=<MulBackward0>)", y.toString());
    assertEquals("tensor([1., 2., 3.], dtype=torch.float64, requires_grad=True)", x.toString());
    Tensor plain = Tensor.ones(2);
    assertFalse(plain.requiresGrad());
    assertFalse(plain.add(1).requiresGrad(), "no history without an input that requires grad");
  }

  @Test
  void onlyFloatingLeavesCanRequireGrad() {
    assertThrows(dev.kiln.DTypeException.class, () -> Tensor.arange(3).requiresGrad(true));
    Tensor y = leaf(1).mul(2);
    assertThrows(AutogradException.class, () -> y.requiresGrad(false));
  }

  @Test
  void backwardOnAScalarAndAccumulation() {
    Tensor x = leaf(3);
    Tensor y = x.pow(2).add(x.mul(2)).add(1); // d/dx = 2x + 2 = 8
    y.backward();
    assertArrayEquals(new double[] {8}, x.grad().toDoubleArray());
    x.pow(2).add(x.mul(2)).add(1).backward();
    assertArrayEquals(new double[] {16}, x.grad().toDoubleArray(), "gradients accumulate");
    x.grad().zero_();
    assertArrayEquals(new double[] {0}, x.grad().toDoubleArray());
    x.setGrad(null);
    assertNull(x.grad());
  }

  @Test
  void aFetchedGradSeesLaterAccumulation() {
    Tensor x = leaf(1, 2);
    x.mul(3).sum().backward();
    Tensor g = x.grad();
    x.mul(3).sum().backward();
    assertArrayEquals(new double[] {6, 6}, g.toDoubleArray(), "accumulation is in place, as in PyTorch");
  }

  @Test
  void backwardOnANonScalarNeedsAGradient() {
    Tensor x = leaf(1, 2, 3);
    Tensor y = x.mul(x);
    AutogradException e = assertThrows(AutogradException.class, y::backward);
    assertTrue(e.getMessage().contains("scalar outputs"), e.getMessage());
    y.backward(Tensor.of(new double[] {1, 0.5, 0.1}));
    assertArrayEquals(new double[] {2, 2, 0.6}, x.grad().toDoubleArray(), 1e-12);
    ShapeException s = assertThrows(ShapeException.class, () -> x.mul(x).backward(Tensor.ones(DType.FLOAT64, 2)));
    assertTrue(s.getMessage().contains("mismatch in shape"), s.getMessage());
  }

  @Test
  void retainGraph() {
    Tensor x = leaf(1, 2);
    Tensor y = x.exp().sum();
    y.backward();
    AutogradException e = assertThrows(AutogradException.class, y::backward);
    assertTrue(e.getMessage().contains("backward through the graph a second time"), e.getMessage());
    Tensor z = x.exp().sum();
    x.setGrad(null);
    z.backward(null, true, false);
    z.backward();
    assertArrayEquals(new double[] {2 * Math.E, 2 * Math.exp(2)}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void broadcastingSumsGradientsBackToEachShape() {
    Tensor a = Tensor.ones(DType.FLOAT64, 2, 3).requiresGrad(true);
    Tensor b = leaf(1, 2, 3);
    Tensor c = Tensor.of(new double[] {2, 3}, 2, 1).requiresGrad(true);
    Tensor s = Tensor.scalar(4.0, DType.FLOAT64).requiresGrad(true);
    a.add(b).mul(c).mul(s).sum().backward();
    assertArrayEquals(new long[] {3}, b.grad().shape());
    assertArrayEquals(new double[] {20, 20, 20}, b.grad().toDoubleArray());
    assertArrayEquals(new long[] {2, 1}, c.grad().shape());
    assertArrayEquals(new double[] {36, 36}, c.grad().toDoubleArray());
    assertArrayEquals(new long[] {}, s.grad().shape());
    assertEquals(2 * 9 + 3 * 9, s.grad().item());
    assertArrayEquals(new double[] {8, 8, 8, 12, 12, 12}, a.grad().toDoubleArray());
  }

  @Test
  void mixedDtypesGiveGradientsInEachInputsDtype() {
    Tensor f32 = Tensor.of(new float[] {1, 2}).requiresGrad(true);
    Tensor f64 = leaf(3, 4);
    f32.mul(f64).sum().backward();
    assertEquals(DType.FLOAT32, f32.grad().dtype());
    assertArrayEquals(new float[] {3, 4}, f32.grad().toFloatArray());
    assertEquals(DType.FLOAT64, f64.grad().dtype());
  }

  @Test
  void badBackwardsRaiseClearErrors() {
    AutogradException e = assertThrows(AutogradException.class, () -> Tensor.ones(1).backward());
    assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    Tensor x = leaf(1);
    Tensor unused = leaf(2);
    Tensor y = x.mul(2);
    e = assertThrows(AutogradException.class, () -> Autograd.grad(y, unused));
    assertTrue(e.getMessage().contains("not have been used in the graph"), e.getMessage());
    Tensor[] g = Autograd.grad(new Tensor[] {y}, new Tensor[] {unused, x}, null, false, false, true);
    assertNull(g[0]);
    assertArrayEquals(new double[] {2}, g[1].toDoubleArray());
  }
}
