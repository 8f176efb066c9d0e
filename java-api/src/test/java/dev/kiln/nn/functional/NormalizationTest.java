package dev.kiln.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The Normalization API: defaults, running statistics, autograd nodes, and bad input (typed, named, harmless). */
class NormalizationTest {
  private static final Tensor X = Tensor.of(new double[] {1, 2, 4, 8, -1, 0, 3, 5, 2, 2, 6, 1}, 2, 3, 2);

  private static void assertClose(double[] expected, Tensor actual, double tol) {
    assertArrayEquals(expected, actual.toDoubleArray(), tol);
  }

  /** Throws type with a message naming each part; every input is left as it was. */
  private static <T extends Throwable> void assertError(Class<T> type, Executable call, Tensor[] inputs, String... parts) {
    double[][] before = new double[inputs.length][];
    for (int i = 0; i < inputs.length; i++) before[i] = inputs[i].toDoubleArray();
    T e = assertThrows(type, call);
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    for (int i = 0; i < inputs.length; i++) assertArrayEquals(before[i], inputs[i].toDoubleArray(), 0.0, "input " + i + " changed");
  }

  @Test
  void defaultsArePyTorchs() {
    Tensor rm = Tensor.of(new double[] {1, 0, 2}), rv = Tensor.of(new double[] {4, 1, 9});
    assertClose(Normalization.batchNorm(X, rm, rv).toDoubleArray(),
        Normalization.batchNorm(X, rm, rv, null, null, false, 0.1, 1e-5), 0);
    assertClose(Normalization.layerNorm(X, new long[] {2}).toDoubleArray(),
        Normalization.layerNorm(X, new long[] {2}, null, null, 1e-5), 0);
    assertClose(Normalization.groupNorm(X, 3).toDoubleArray(), Normalization.groupNorm(X, 3, null, null, 1e-5), 0);
    // rms_norm's eps defaults to the dtype's machine epsilon
    assertClose(Normalization.rmsNorm(X, new long[] {2}).toDoubleArray(),
        Normalization.rmsNorm(X, new long[] {2}, null, Math.ulp(1.0)), 0);
    Tensor x32 = X.to(DType.FLOAT32);
    assertClose(Normalization.rmsNorm(x32, new long[] {2}).toDoubleArray(),
        Normalization.rmsNorm(x32, new long[] {2}, null, (double) Math.ulp(1.0f)), 0);
  }

  @Test
  void evaluationUsesTheRunningStatistics() {
    Tensor rm = Tensor.of(new double[] {1, 0, 2}), rv = Tensor.of(new double[] {4, 1, 9});
    Tensor y = Normalization.batchNorm(X, rm, rv, null, null, false, 0.1, 0);
    // channel 0 holds 1, 2 and 6, 8... of X: (x - 1) / 2
    assertEquals(0.0, y.toDoubleArray()[0], 1e-12);
    assertEquals(0.5, y.toDoubleArray()[1], 1e-12);
    assertArrayEquals(new double[] {1, 0, 2}, rm.toDoubleArray(), 0.0);
  }

  @Test
  void trainingMovesTheRunningStatisticsByMomentum() {
    Tensor rm = Tensor.zeros(DType.FLOAT64, 3), rv = Tensor.ones(DType.FLOAT64, 3);
    Normalization.batchNorm(X, rm, rv, null, null, true, 0.25, 1e-5);
    Tensor mean = X.mean(new int[] {0, 2}, false);
    Tensor var = X.var(new int[] {0, 2}, 1, false);
    assertClose(mean.mul(0.25).toDoubleArray(), rm, 1e-12);
    assertClose(var.mul(0.25).add(0.75).toDoubleArray(), rv, 1e-12);
  }

  @Test
  void gradFnsAreTheFusedOps() {
    Tensor x = X.detach().clone().requiresGrad(true);
    assertEquals("NativeBatchNormBackward0", Normalization.batchNorm(x, null, null, null, null, true).gradFn().name());
    assertEquals("NativeLayerNormBackward0", Normalization.layerNorm(x, new long[] {2}).gradFn().name());
    assertEquals("NativeGroupNormBackward0", Normalization.groupNorm(x, 3).gradFn().name());
    assertEquals("NativeRmsNormBackward0", Normalization.rmsNorm(x, new long[] {2}).gradFn().name());
    assertEquals("ViewBackward0", Normalization.instanceNorm(x).gradFn().name());
  }

  @Test
  void theGradientIsTheFusedBackwardOpAndDifferentiable() {
    Tensor x = X.detach().clone().requiresGrad(true);
    Tensor y = Normalization.layerNorm(x, new long[] {3, 2});
    Tensor g = dev.kiln.autograd.Autograd.grad(y.mul(y).mul(y).sum(), x, true)[0];
    assertEquals("NativeLayerNormBackwardBackward0", g.gradFn().name());
    Tensor h = dev.kiln.autograd.Autograd.grad(g.sum(), x)[0];
    assertArrayEquals(X.shape(), h.shape());
  }

  @Test
  void badInputIsRefusedWithTheOpsName() {
    Tensor w4 = Tensor.ones(DType.FLOAT64, 4), rm = Tensor.zeros(DType.FLOAT64, 4), rv = Tensor.ones(DType.FLOAT64, 4);
    assertError(ShapeException.class, () -> Normalization.batchNorm(X, rm, rv, null, null, true), new Tensor[] {X, rm, rv},
        "batch_norm", "running_mean should contain 3 elements not 4");
    assertError(ArgumentException.class, () -> Normalization.batchNorm(X.view(1, 12, 1), null, null, null, null, true),
        new Tensor[] {X}, "batch_norm", "Expected more than 1 value per channel");
    assertError(ArgumentException.class, () -> Normalization.batchNorm(X, null, null), new Tensor[] {X}, "batch_norm",
        "running_mean must be defined in evaluation mode");
    assertError(DTypeException.class, () -> Normalization.batchNorm(X, null, null, Tensor.ones(3), null, true),
        new Tensor[] {X}, "batch_norm", "weight", "float32");
    assertError(ShapeException.class, () -> Normalization.layerNorm(X, new long[] {3}), new Tensor[] {X}, "layer_norm",
        "normalized_shape=[3]", "[2, 3, 2]");
    assertError(ShapeException.class, () -> Normalization.layerNorm(X, new long[] {2}, w4, null), new Tensor[] {X, w4},
        "layer_norm", "Expected weight to be of same shape");
    assertError(ShapeException.class, () -> Normalization.groupNorm(X, 2), new Tensor[] {X}, "group_norm",
        "divisible by num_groups", "num_groups=2");
    assertError(ArgumentException.class, () -> Normalization.groupNorm(X, 0), new Tensor[] {X}, "group_norm",
        "num_groups must be positive");
    assertError(ArgumentException.class, () -> Normalization.instanceNorm(X, null, null, null, null, false, 0.1, 1e-5),
        new Tensor[] {X}, "instance_norm", "use_input_stats");
    Tensor ints = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2);
    assertError(DTypeException.class, () -> Normalization.layerNorm(ints, new long[] {2}), new Tensor[] {ints},
        "layer_norm", "int64");
    assertError(ShapeException.class, () -> Normalization.rmsNorm(X, new long[] {5}), new Tensor[] {X}, "rms_norm");
  }

  @Test
  void normalizeDividesByTheNormAtLeastEps() {
    Tensor x = Tensor.of(new float[] {3, 4, 0, 0, 1, -1}, 3, 2);
    // F.normalize(x) and F.normalize(x, p=1, dim=0), from PyTorch 1.13
    assertArrayEquals(new double[] {0.6, 0.8, 0, 0, 0.7071067690849304, -0.7071067690849304}, Normalization.normalize(x).toDoubleArray(), 1e-7);
    assertArrayEquals(new double[] {0.75, 0.8, 0, 0, 0.25, -0.2}, Normalization.normalize(x, 1, 0, 1e-12).toDoubleArray(), 1e-7);
    Tensor d = Tensor.randn(DType.FLOAT64, 3, 4).requiresGrad(true);
    assertTrue(dev.kiln.autograd.GradCheck.gradcheck(in -> new Tensor[] {Normalization.normalize(in[0], 2, 1, 1e-12)}, d));
  }
}
