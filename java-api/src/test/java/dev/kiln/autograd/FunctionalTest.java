package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.ArgumentException;
import dev.kiln.AutogradException;
import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Functional.MultiFunction;
import dev.kiln.autograd.Functional.ScalarFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Functional (torch.autograd.functional) beyond the PyTorch values in FunctionalParityTest: createGraph results
 * against finite differences, the error types, zeros for independent inputs, the caller's tensors and grad mode
 * left as they were, and no graph without createGraph.
 */
class FunctionalTest {
  private static final UnaryOperator<Tensor> EXP_TIMES_SUM = x -> x.exp().mul(x.sum());
  private static final UnaryOperator<Tensor> EXP_TIMES_SUM_TOTAL = x -> x.exp().mul(x.sum()).sum();
  private static final UnaryOperator<Tensor> CUBE_SUM = x -> x.pow(3.0).sum();
  private static final MultiFunction SIN_AND_NORM =
      in -> new Tensor[] {in[0].mul(in[1]).sin(), in[0].pow(2.0).sum(1).mul(in[1].sum())};
  private static final ScalarFunction CUBE_TIMES = in -> in[0].pow(3.0).mul(in[1]).sum();

  private static Tensor x3() {
    return Tensor.of(new double[] {0.3, -0.7, 1.1});
  }

  private static Tensor x23() {
    return Tensor.of(new double[] {0.5, -1.2, 0.8, 1.5, -0.3, 0.9}, 2, 3);
  }

  private static Tensor y3() {
    return Tensor.of(new double[] {-0.4, 0.6, 1.3});
  }

  @Test
  void theJavadocExamplesRun() {
    Tensor x = Tensor.of(new double[] {1, 2, 3});
    Tensor j = Functional.jacobian(t -> t.exp().mul(t.sum()), x);
    Tensor h = Functional.hessian(t -> t.pow(3).sum(), x);
    var r = Functional.vjp(t -> t.exp().sum(), x, null);
    Tensor[][] jj = Functional.jacobian(in -> new Tensor[] {in[0].mul(in[1]).sin(), in[0].sum()},
        new Tensor[] {x, Tensor.of(new double[] {4, 5, 6})});
    assertArrayEquals(new long[] {3, 3}, j.shape());
    assertArrayEquals(new double[] {6, 0, 0, 0, 12, 0, 0, 0, 18}, h.toDoubleArray(), 1e-12);
    assertEquals(0, r.output().dim());
    assertArrayEquals(x.exp().toDoubleArray(), r.product().toDoubleArray(), 1e-12);
    assertArrayEquals(new long[] {3, 3}, jj[0][1].shape());
    assertArrayEquals(new double[] {1, 1, 1}, jj[1][0].toDoubleArray());
    assertArrayEquals(new double[] {0, 0, 0}, jj[1][1].toDoubleArray());
    assertArrayEquals(new long[] {4, 4},
        Functional.vjp(t -> t.exp().sum(1), Tensor.rand(4, 4), Tensor.ones(4)).product().shape());
  }

  @Test
  void createGraphJacobianAndHessianPassGradcheck() {
    Tensor x = x3().requiresGrad(true), y = y3().requiresGrad(true);
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {Functional.jacobian(EXP_TIMES_SUM, in[0], true, false)}, x));
    assertTrue(GradCheck.gradcheck(in -> Functional.jacobian(SIN_AND_NORM, new Tensor[] {in[0].view(1, 3), in[1]},
        true, false)[1], x, y));
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {Functional.hessian(CUBE_SUM, in[0], true, false)}, x));
    assertTrue(GradCheck.gradcheck(in -> {
      Tensor[][] h = Functional.hessian(CUBE_TIMES, in, true, false);
      return new Tensor[] {h[0][0], h[0][1], h[1][0], h[1][1]};
    }, x, y));
  }

  @Test
  void createGraphProductsPassGradcheckInInputsAndV() {
    Tensor x = x3().requiresGrad(true), v = y3().requiresGrad(true);
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {Functional.vjp(EXP_TIMES_SUM, in[0], in[1], true, false).product()}, x, v));
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {Functional.jvp(EXP_TIMES_SUM, in[0], in[1], true, false).product()}, x, v));
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {Functional.vhp(EXP_TIMES_SUM_TOTAL, in[0], in[1],
        true, false).product()}, x, v));
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {Functional.hvp(EXP_TIMES_SUM_TOTAL, in[0], in[1],
        true, false).product()}, x, v));
  }

  @Test
  void productsAgreeWithTheJacobianAndHessian() {
    Tensor x = x3(), v = y3();
    Tensor j = Functional.jacobian(EXP_TIMES_SUM, x);
    assertArrayEquals(v.matmul(j).toDoubleArray(), Functional.vjp(EXP_TIMES_SUM, x, v).product().toDoubleArray(), 1e-12);
    assertArrayEquals(j.matmul(v).toDoubleArray(), Functional.jvp(EXP_TIMES_SUM, x, v).product().toDoubleArray(), 1e-12);
    Tensor h = Functional.hessian(EXP_TIMES_SUM_TOTAL, x);
    assertArrayEquals(v.matmul(h).toDoubleArray(), Functional.vhp(EXP_TIMES_SUM_TOTAL, x, v).product().toDoubleArray(), 1e-12);
    assertArrayEquals(h.matmul(v).toDoubleArray(), Functional.hvp(EXP_TIMES_SUM_TOTAL, x, v).product().toDoubleArray(), 1e-12);
    double[] xs = x.toDoubleArray();
    assertArrayEquals(new double[] {6 * xs[0], 0, 0, 0, 6 * xs[1], 0, 0, 0, 6 * xs[2]},
        Functional.hessian(CUBE_SUM, x).toDoubleArray(), 1e-12);
  }

  @Test
  void resultShapesNestOutputsThenInputs() {
    Tensor[][] j = Functional.jacobian(SIN_AND_NORM, new Tensor[] {x23(), y3()});
    assertArrayEquals(new long[] {2, 3, 2, 3}, j[0][0].shape());
    assertArrayEquals(new long[] {2, 3, 3}, j[0][1].shape());
    assertArrayEquals(new long[] {2, 2, 3}, j[1][0].shape());
    assertArrayEquals(new long[] {2, 3}, j[1][1].shape());
    Tensor[][] h = Functional.hessian(CUBE_TIMES, new Tensor[] {x23(), y3()});
    assertArrayEquals(new long[] {2, 3, 3}, h[0][1].shape());
    assertArrayEquals(new long[] {3, 2, 3}, h[1][0].shape());
    assertArrayEquals(new long[] {}, Functional.jacobian(t -> t.pow(3.0), Tensor.scalar(2.0, DType.FLOAT64)).shape());
    // a [1, 1] output is squeezed, as PyTorch does: the Hessian has the input's shape twice
    assertArrayEquals(new long[] {3, 3}, Functional.hessian(t -> t.pow(3.0).sum().reshape(1, 1), x3()).shape());
  }

  @Test
  void independentInputsGetZerosUnlessStrict() {
    MultiFunction firstOnly = in -> new Tensor[] {in[0].tanh()};
    Tensor[] xy = {x23(), y3()};
    Tensor[][] j = Functional.jacobian(firstOnly, xy);
    assertArrayEquals(new long[] {2, 3, 3}, j[0][1].shape());
    assertArrayEquals(new double[18], j[0][1].toDoubleArray());
    Tensor[] vjp = Functional.vjp(firstOnly, xy, new Tensor[] {Tensor.onesLike(xy[0])}).product();
    assertArrayEquals(new double[3], vjp[1].toDoubleArray());
    Tensor[][] h = Functional.hessian(in -> in[0].pow(3.0).sum(), xy);
    assertArrayEquals(new double[9], h[1][1].toDoubleArray());
    assertArrayEquals(new double[18], h[0][1].toDoubleArray());

    AutogradException e = assertThrows(AutogradException.class, () -> Functional.jacobian(firstOnly, xy, false, true));
    assertEquals("Output 0 of the user-provided function is independent of input 1. This is not allowed in strict mode.",
        e.getMessage());
    assertThrows(AutogradException.class, () -> Functional.vjp(firstOnly, xy, new Tensor[] {Tensor.onesLike(xy[0])}, false, true));
    assertThrows(AutogradException.class, () -> Functional.hessian(in -> in[0].pow(3.0).sum(), xy, false, true));
    assertThrows(AutogradException.class, () -> Functional.hvp(in -> in[0].pow(3.0).sum(), xy, xy, false, true));
  }

  @Test
  void strictRefusesLinearFunctionsWhereTheSecondDerivativeIsNeeded() {
    UnaryOperator<Tensor> linear = t -> t.mul(2.0).sum();
    Tensor x = x3();
    assertArrayEquals(new double[9], Functional.hessian(linear, x).toDoubleArray());
    AutogradException e = assertThrows(AutogradException.class, () -> Functional.hessian(linear, x, false, true));
    assertTrue(e.getMessage().startsWith("While computing the hessian, found that the jacobian of the user-provided"
        + " function with respect to input 0 is independent of the input."), e.getMessage());
    assertThrows(AutogradException.class, () -> Functional.vhp(linear, x, x, false, true));
    // A first derivative of a linear function is fine, but with createGraph it has no graph to give
    assertNotNull(Functional.jacobian(t -> t.mul(2.0), x, false, true));
    assertThrows(AutogradException.class, () -> Functional.jacobian(t -> t.mul(2.0), x, true, true));
    AutogradException out = assertThrows(AutogradException.class,
        () -> Functional.vjp(t -> Tensor.ones(DType.FLOAT64, 2), x, Tensor.ones(DType.FLOAT64, 2), false, true));
    assertTrue(out.getMessage().startsWith("Output 0 of the user-provided function does not require gradients."));
  }

  @Test
  void vMustMatchAndMayBeOmittedOnlyForOneElement() {
    Tensor x = x3();
    ShapeException shape = assertThrows(ShapeException.class, () -> Functional.vjp(EXP_TIMES_SUM, x, Tensor.ones(DType.FLOAT64, 2)));
    assertEquals("v has invalid size: should be [3] but got [2].", shape.getMessage());
    ShapeException entry = assertThrows(ShapeException.class,
        () -> Functional.jvp(SIN_AND_NORM, new Tensor[] {x23(), y3()}, new Tensor[] {x23(), Tensor.ones(DType.FLOAT64, 2)}));
    assertEquals("Entry 1 in v has invalid size: should be [3] but got [2].", entry.getMessage());
    ArgumentException length = assertThrows(ArgumentException.class,
        () -> Functional.hvp(CUBE_TIMES, new Tensor[] {x23(), y3()}, new Tensor[] {x23()}));
    assertEquals("v is a tuple of invalid length: should be 2 but got 1.", length.getMessage());
    ArgumentException missing = assertThrows(ArgumentException.class, () -> Functional.vjp(EXP_TIMES_SUM, x, null));
    assertEquals("The vector v can only be None if the user-provided function returns a single Tensor with a single"
        + " element.", missing.getMessage());
    assertThrows(ArgumentException.class, () -> Functional.jvp(EXP_TIMES_SUM, x, null));
    assertThrows(ArgumentException.class, () -> Functional.vhp(CUBE_SUM, x, null));
    ShapeException notScalar = assertThrows(ShapeException.class, () -> Functional.hessian(EXP_TIMES_SUM, x));
    assertEquals("The Tensor returned by the function given to hessian should contain a single element", notScalar.getMessage());
    assertThrows(ShapeException.class, () -> Functional.hvp(EXP_TIMES_SUM, x, x));

    // omitted where there is one element: a seed of 1
    Tensor one = Tensor.of(new double[] {0.5});
    assertArrayEquals(Functional.vjp(CUBE_SUM, x, Tensor.scalar(1.0, DType.FLOAT64)).product().toDoubleArray(),
        Functional.vjp(CUBE_SUM, x, null).product().toDoubleArray(), 0);
    assertEquals(3 * 0.25, Functional.jvp(CUBE_SUM, one, null).product().item(), 1e-15);
    assertEquals(6 * 0.5, Functional.hvp(CUBE_SUM, one, null).product().item(), 1e-15);
  }

  @Test
  void callersTensorsKeepTheirFlagsAndGrad() {
    Tensor plain = x3(), leaf = y3().requiresGrad(true);
    for (boolean createGraph : new boolean[] {false, true}) {
      for (Tensor x : new Tensor[] {plain, leaf}) {
        Functional.vjp(EXP_TIMES_SUM, x, x, createGraph, false);
        Functional.jvp(EXP_TIMES_SUM, x, x, createGraph, false);
        Functional.jacobian(EXP_TIMES_SUM, x, createGraph, false);
        Functional.hessian(CUBE_SUM, x, createGraph, false);
        Functional.vhp(CUBE_SUM, x, x, createGraph, false);
        Functional.hvp(CUBE_SUM, x, x, createGraph, false);
      }
    }
    assertFalse(plain.requiresGrad());
    assertTrue(leaf.requiresGrad());
    assertTrue(leaf.isLeaf());
    assertNull(leaf.grad(), "the functions use Autograd.grad, which leaves .grad alone");
  }

  @Test
  void noGraphWithoutCreateGraph() {
    Tensor x = x3().requiresGrad(true), v = y3().requiresGrad(true);
    var vjp = Functional.vjp(EXP_TIMES_SUM, x, v);
    var jvp = Functional.jvp(EXP_TIMES_SUM, x, v);
    var hvp = Functional.hvp(CUBE_SUM, x, v);
    var vhp = Functional.vhp(CUBE_SUM, x, v);
    for (Tensor t : new Tensor[] {vjp.output(), vjp.product(), jvp.output(), jvp.product(), hvp.output(), hvp.product(),
        vhp.output(), vhp.product(), Functional.jacobian(EXP_TIMES_SUM, x), Functional.hessian(CUBE_SUM, x)}) {
      assertFalse(t.requiresGrad());
      assertNull(t.gradFn());
    }
    Tensor j = Functional.jacobian(EXP_TIMES_SUM, x, true, false);
    assertNotNull(j.gradFn(), "with createGraph the Jacobian has a graph");
  }

  @Test
  void runsWithGradOnEvenUnderNoGradAndRestoresTheMode() {
    Tensor x = x3().requiresGrad(true);
    try (ModeScope g = Autograd.noGrad()) {
      Tensor j = Functional.jacobian(EXP_TIMES_SUM, x, true, false);
      assertTrue(j.requiresGrad(), "createGraph records even under noGrad, as in PyTorch");
      assertArrayEquals(Functional.jacobian(EXP_TIMES_SUM, x).toDoubleArray(), j.toDoubleArray(), 0);
      assertFalse(Autograd.isGradEnabled());
      assertThrows(AutogradException.class, () -> Functional.hessian(t -> t.mul(2.0).sum(), x, false, true));
      assertFalse(Autograd.isGradEnabled(), "restored after an error too");
    }
    assertTrue(Autograd.isGradEnabled());
  }

  @Test
  void aCapturedInputIsAConstant() {
    // The function gets a new tensor, so that x captured by the lambda is told from the input (pytorch#32576):
    // the Jacobian of t * x is diag(x), not diag(2x).
    Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
    assertArrayEquals(new double[] {1, 0, 0, 0, 2, 0, 0, 0, 3}, Functional.jacobian(t -> t.mul(x), x).toDoubleArray(), 0);
  }

  @Test
  void emptyOutputGivesAnEmptyJacobian() {
    // PyTorch 1.13 fails here (torch.stack of no rows); the empty Jacobian is what its shape rule gives.
    Tensor j = Functional.jacobian(t -> t.narrow(0, 0, 0), x3());
    assertArrayEquals(new long[] {0, 3}, j.shape());
    assertEquals(DType.FLOAT64, j.dtype());
  }

  @Test
  void resultsBelongToTheCallersScope() {
    Tensor j;
    try (TensorScope scope = TensorScope.open()) {
      j = Functional.jacobian(EXP_TIMES_SUM, x3());
      assertFalse(j.isClosed());
    }
    assertTrue(j.isClosed());
  }

  @Test
  void aNullResultIsNamed() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> Functional.jacobian(t -> null, x3()));
    assertTrue(e.getMessage().contains("jacobian"), e.getMessage());
  }
}
