package dev.kiln.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.IndexException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The Activations API: PyTorch's defaults, dtypes, autograd (grad_fn, second derivatives) and bad input. */
class ActivationsTest {
  private static final Tensor X = Tensor.of(new float[] {-3.5f, -1, -0.25f, 0, 0.5f, 2, 4, 7}, 2, 4);

  private static void assertSame(Tensor a, Tensor b) {
    assertEquals(a.dtype(), b.dtype());
    assertArrayEquals(a.shape(), b.shape());
    assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
  }

  /** Throws type with a message naming each part, and leaves the inputs as they were. */
  private static <T extends Throwable> void assertError(Class<T> type, Executable call, Tensor input, String... parts) {
    double[] before = input.toDoubleArray();
    T e = assertThrows(type, call);
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    assertArrayEquals(before, input.toDoubleArray(), 0.0, "the input changed");
  }

  @Test
  void defaultsArePyTorchs() {
    assertSame(Activations.softplus(X), Activations.softplus(X, 1, 20));
    assertSame(Activations.gelu(X), Activations.gelu(X, "none"));
    assertSame(Activations.leakyRelu(X), Activations.leakyRelu(X, 0.01));
    assertSame(Activations.elu(X), Activations.elu(X, 1));
    assertSame(Activations.celu(X), Activations.celu(X, 1));
    assertSame(Activations.hardtanh(X), Activations.hardtanh(X, -1, 1));
    assertSame(Activations.relu6(X), Activations.hardtanh(X, 0, 6));
    assertSame(Activations.glu(X), Activations.glu(X, -1));
  }

  @Test
  void valuesAtAGlance() {
    Tensor x = Tensor.of(new double[] {-1, 0, 2});
    assertArrayEquals(new double[] {-0.01, 0, 2}, Activations.leakyRelu(x).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {Math.exp(-1) - 1, 0, 2}, Activations.elu(x).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {-0.5, 0, 2.0 / 3}, Activations.softsign(x).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {1.0 / 3, 0.5, 5.0 / 6}, Activations.hardsigmoid(x).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {-Math.log1p(Math.exp(1)), -Math.log(2), -Math.log1p(Math.exp(-2))},
        Activations.logsigmoid(x).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {-1 / (1 + Math.exp(1)), 0, 2 / (1 + Math.exp(-2))},
        Activations.silu(x).toDoubleArray(), 1e-15);
  }

  @Test
  void dtypes() {
    List<UnaryOperator<Tensor>> ops = List.of(Activations::gelu, Activations::silu, Activations::mish,
        Activations::selu, Activations::logsigmoid, t -> Activations.glu(t, 1));
    for (UnaryOperator<Tensor> f : ops) {
      assertEquals(DType.FLOAT64, f.apply(X.to(DType.FLOAT64)).dtype());
      assertEquals(DType.FLOAT32, f.apply(X).dtype());
    }
    Tensor ints = Tensor.of(new long[] {-3, 0, 9});
    Tensor clamped = Activations.relu6(ints);
    assertEquals(DType.INT64, clamped.dtype());
    assertArrayEquals(new long[] {0, 0, 6}, clamped.toLongArray());
    assertEquals(DType.FLOAT32, Activations.softsign(ints).dtype());
  }

  @Test
  void gradFnsAreTheFusedOps() {
    Tensor x = X.to(DType.FLOAT64).requiresGrad(true);
    assertEquals("GeluBackward0", Activations.gelu(x).gradFn().name());
    assertEquals("SoftplusBackward0", Activations.softplus(x).gradFn().name());
    assertEquals("EluBackward0", Activations.selu(x).gradFn().name());
    assertEquals("CeluBackward0", Activations.celu(x).gradFn().name());
    assertEquals("HardtanhBackward0", Activations.relu6(x).gradFn().name());
    assertEquals("LogSigmoidBackward0", Activations.logsigmoid(x).gradFn().name());
    assertEquals("PreluBackward0", Activations.prelu(x, Tensor.of(new double[] {0.2})).gradFn().name());
    Tensor g = Autograd.grad(Activations.gelu(x).sum(), x, true)[0];
    assertEquals("GeluBackwardBackward0", g.gradFn().name());
  }

  @Test
  void secondDerivativeOfGelu() {
    double v = 0.7;
    Tensor x = Tensor.of(new double[] {v}).requiresGrad(true);
    Tensor d1 = Autograd.grad(Activations.gelu(x).sum(), x, true)[0];
    Tensor d2 = Autograd.grad(d1.sum(), x, false)[0];
    double pdf = Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
    assertEquals(pdf * (2 - v * v), d2.item(), 1e-14);
  }

  @Test
  void preluLearnsItsWeight() {
    Tensor x = Tensor.of(new double[] {-1, 2, -3, 4, -5, 6}, 3, 2);
    Tensor w = Tensor.of(new double[] {0.1, 0.2}).requiresGrad(true);
    Activations.prelu(x, w).sum().backward();
    assertArrayEquals(new double[] {-1 - 3 - 5, 0}, w.grad().toDoubleArray(), 1e-15);
  }

  @Test
  void badInput() {
    Tensor ints = Tensor.of(new long[] {1, 2, 3, 4});
    assertError(DTypeException.class, () -> Activations.gelu(ints), ints, "gelu", "int64");
    assertError(DTypeException.class, () -> Activations.selu(ints), ints, "selu", "int64");
    assertError(DTypeException.class, () -> Activations.logsigmoid(ints), ints, "log_sigmoid", "int64");
    assertError(DTypeException.class, () -> Activations.hardtanh(Tensor.of(new boolean[] {true})), ints, "hardtanh", "bool");
    assertError(IllegalArgumentException.class, () -> Activations.gelu(X, "exact"), X, "gelu", "none or tanh");
    assertError(ArgumentException.class, () -> Activations.celu(X, 0), X, "celu", "alpha cannot be 0");
    assertError(ShapeException.class, () -> Activations.glu(Tensor.ones(2, 3), 1), X, "glu", "dimension 1 is size 3");
    assertError(ShapeException.class, () -> Activations.glu(Tensor.scalar(1.0)), X, "glu", "scalars");
    assertError(IndexException.class, () -> Activations.glu(X, 2), X, "glu", "2");
    Tensor w2 = Tensor.ones(2);
    assertError(ShapeException.class, () -> Activations.prelu(Tensor.ones(2, 3, 4), w2), w2, "prelu", "parameter numbers = 2",
        "channel size = 3", "[2, 3, 4]");
    assertError(ShapeException.class, () -> Activations.prelu(X, Tensor.ones(4, 1)), X, "prelu", "ndim = 2");
    assertError(DTypeException.class, () -> Activations.prelu(X, Tensor.ones(DType.FLOAT64, 4)), X, "prelu", "float64",
        "float32");
  }
}
