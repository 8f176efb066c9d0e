package dev.kiln.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.Generator;
import dev.kiln.NotImplementedException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The functional convolution, pooling, sampling and linear API from Java: overloads and PyTorch's defaults, a small
 * CNN forward and backward, and bad input (typed exception naming the function and the shapes, inputs unchanged).
 */
class ConvPoolFunctionsTest {
  private static final Generator GEN = new Generator(3);

  private static Tensor randn(long... shape) {
    return Tensor.randn(GEN, DType.FLOAT32, shape);
  }

  private static <T extends Throwable> void assertError(Class<T> type, Executable call, String... parts) {
    T e = assertThrows(type, call);
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
  }

  private static void assertClose(Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape());
    double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), "element " + i);
  }

  @Test
  void overloadsApplyPyTorchsDefaults() {
    Tensor x = randn(2, 3, 6, 6), w = randn(4, 3, 3, 3), b = randn(4);
    assertArrayEquals(new long[] {2, 4, 4, 4}, Convolutions.conv2d(x, w).shape());
    assertClose(Convolutions.conv2d(x, w, b, 1, 1, 1, 1),
        Convolutions.conv2d(x, w, b, new int[] {1, 1}, "same", new int[] {1, 1}, 1), 0);
    assertClose(Convolutions.conv2d(x, w, null, 1, 0, 1, 1),
        Convolutions.conv2d(x, w, null, new int[] {1, 1}, "valid", new int[] {1, 1}, 1), 0);
    // conv2d through unfold + matmul
    Tensor cols = Convolutions.unfold(x, new int[] {3, 3});
    assertClose(Convolutions.conv2d(x, w).view(2, 4, 16), w.view(4, 27).matmul(cols), 1e-5);
    assertArrayEquals(new long[] {2, 3, 6, 6},
        Convolutions.fold(cols, new int[] {6, 6}, new int[] {3, 3}).shape());
    // a transposed convolution undoes a strided convolution's shape
    Tensor y = Convolutions.conv2d(x, w, null, 2, 1, 1, 1);
    assertArrayEquals(new long[] {2, 3, 6, 6},
        Convolutions.convTranspose2d(y, w, null, 2, 1, 1, 1, 1).shape());
    assertArrayEquals(new long[] {2, 4, 7}, Convolutions.conv1d(randn(2, 3, 9), randn(4, 3, 3)).shape());
    assertArrayEquals(new long[] {1, 2, 2, 2, 2}, Convolutions.conv3d(randn(1, 3, 4, 4, 4), randn(2, 3, 3, 3, 3)).shape());
    // pooling: the stride defaults to the kernel
    assertClose(Pooling.maxPool2d(x, 2), Pooling.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0},
        new int[] {1, 1}, false), 0);
    try (ValuesAndIndices m = Pooling.maxPool2dWithIndices(x, 3)) {
      assertArrayEquals(new long[] {2, 3, 2, 2}, m.values().shape());
      assertEquals(DType.INT64, m.indices().dtype());
    }
    assertClose(Pooling.adaptiveAvgPool2d(x, 1), x.mean(new int[] {2, 3}, true), 1e-6);
    assertClose(Pooling.avgPool2d(x, 2), Pooling.adaptiveAvgPool2d(x, 3), 1e-6);
    assertArrayEquals(new long[] {2, 3, 3}, Pooling.maxPool1d(randn(2, 3, 7), 2).shape());
    assertArrayEquals(new long[] {2, 3, 12, 12}, Sampling.interpolate(x, 2.0, "nearest").shape());
    assertArrayEquals(new long[] {2, 3, 9, 7}, Sampling.interpolate(x, new long[] {9, 7}, "bilinear", true).shape());
    Tensor lw = randn(5, 6), lb = randn(5);
    assertClose(x.matmul(lw.t()).add(lb), LinearFunctions.linear(x, lw, lb), 1e-5);
    assertClose(x.matmul(lw.t()), LinearFunctions.linear(x, lw), 1e-5);
  }

  @Test
  void smallCnnTrainsEndToEnd() {
    // conv -> relu -> max_pool -> linear, the Fashion-MNIST CNN in miniature: the loss falls over a few steps
    Tensor x = randn(8, 1, 8, 8);
    Tensor target = randn(8, 3);
    Tensor w1 = randn(4, 1, 3, 3).mul(0.3).requiresGrad(true), b1 = Tensor.zeros(4).requiresGrad(true);
    Tensor w2 = randn(3, 64).mul(0.1).requiresGrad(true), b2 = Tensor.zeros(3).requiresGrad(true);
    double first = 0, last = 0;
    for (int step = 0; step < 20; step++) {
      Tensor h = Pooling.maxPool2d(Convolutions.conv2d(x, w1, b1, 1, 1, 1, 1).relu(), 2).flatten(1, -1);
      Tensor loss = LinearFunctions.linear(h, w2, b2).sub(target).pow(2).mean();
      if (step == 0) first = loss.item();
      last = loss.item();
      loss.backward();
      try (var g = dev.kiln.autograd.Autograd.noGrad()) {
        for (Tensor p : new Tensor[] {w1, b1, w2, b2}) {
          p.sub_(p.grad().mul(0.1));
          p.setGrad(null);
        }
      }
    }
    assertTrue(last < 0.7 * first, "loss " + first + " -> " + last);
  }

  @Test
  void badInputNamesTheFunctionAndLeavesInputsAlone() {
    Tensor x = randn(2, 3, 5, 5), w = randn(4, 3, 3, 3);
    float[] before = x.toFloatArray();
    assertError(ShapeException.class, () -> Convolutions.conv2d(x, randn(4, 2, 3, 3)), "conv2d:", "[4, 2, 3, 3]",
        "[2, 3, 5, 5]");
    assertError(ShapeException.class, () -> Convolutions.conv2d(x, w, randn(3)), "conv2d:", "bias", "[3]");
    assertError(ShapeException.class, () -> Convolutions.conv2d(x, randn(4, 3, 7, 7)), "conv2d:", "Kernel size");
    assertError(ArgumentException.class, () -> Convolutions.conv2d(x, w, null, 0, 0, 1, 1), "conv2d:", "stride");
    assertError(ArgumentException.class, () -> Convolutions.conv2d(x, w, null, new int[] {2, 2}, "same",
        new int[] {1, 1}, 1), "conv2d:", "same");
    assertError(IllegalArgumentException.class, () -> Convolutions.conv2d(x, w, null, new int[] {1, 1}, "full",
        new int[] {1, 1}, 1), "conv2d:", "full");
    assertError(IllegalArgumentException.class, () -> Convolutions.conv2d(x, w, null, new int[] {1}, new int[] {0, 0},
        new int[] {1, 1}, 1), "conv2d:", "2 values");
    assertError(DTypeException.class, () -> Convolutions.conv2d(x, w.to(DType.FLOAT64)), "conv2d:", "float64");
    assertError(ArgumentException.class, () -> Convolutions.convTranspose2d(x, randn(3, 2, 3, 3), null, 2, 0, 2, 1, 1),
        "conv_transpose2d:", "output padding");
    assertError(ShapeException.class, () -> Convolutions.unfold(x, new int[] {6, 6}), "unfold:", "(5, 5)");
    assertError(ShapeException.class, () -> Convolutions.fold(randn(2, 12, 10), new int[] {4, 5}, new int[] {2, 2}),
        "fold:", "12");
    assertError(ArgumentException.class, () -> Pooling.maxPool2d(x, new int[] {3, 3}, null, new int[] {2, 2},
        new int[] {1, 1}, false), "max_pool2d:", "pad");
    assertError(ShapeException.class, () -> Pooling.maxPool2d(x, 6), "max_pool2d:", "[2, 3, 5, 5]");
    assertError(DTypeException.class, () -> Pooling.avgPool2d(Tensor.ones(DType.INT64, 1, 1, 4, 4), 2), "avg_pool2d:",
        "int64");
    assertError(ArgumentException.class, () -> Pooling.avgPool2d(x, new int[] {2, 2}, null, new int[] {0, 0}, false,
        true, 0), "avg_pool2d:", "divisor");
    assertError(ArgumentException.class, () -> Pooling.adaptiveAvgPool2d(x, new int[] {-1, 2}), "adaptive_avg_pool2d:");
    assertError(ShapeException.class, () -> Sampling.interpolate(x, new long[] {0, 3}, "nearest"), "interpolate:");
    assertError(ArgumentException.class, () -> Sampling.interpolate(x, new long[] {7, 7}, "nearest", true),
        "interpolate:", "align_corners");
    assertError(NotImplementedException.class, () -> Sampling.interpolate(x, new long[] {7, 7}, "linear"), "interpolate:",
        "linear");
    assertError(IllegalArgumentException.class, () -> Sampling.interpolate(x, new long[] {7, 7}, "lanczos"),
        "interpolate:", "lanczos");
    assertError(NotImplementedException.class, () -> Sampling.interpolate(x, new long[] {7, 7}, "trilinear"),
        "interpolate:", "trilinear mode needs 5-D input");
    assertError(IllegalArgumentException.class, () -> Pooling.maxPool3d(x, new int[] {2, 2}, null, new int[] {0, 0},
        new int[] {1, 1}, false), "max_pool3d:", "3 values");
    assertError(ShapeException.class, () -> Pooling.avgPool3d(randn(2, 5, 5), 2), "avg_pool3d:", "4-D (unbatched)");
    assertError(ShapeException.class, () -> LinearFunctions.linear(x, randn(2, 4)), "linear:", "[2, 3, 5, 5]",
        "[2, 4]");
    assertArrayEquals(before, x.toFloatArray());
  }

  @Test
  void linalgFromJava() {
    Tensor a = randn(3, 4), v = randn(4), b = randn(4, 2);
    assertClose(a.matmul(v), a.mv(v), 1e-6);
    assertClose(v.matmul(v), v.dot(v), 1e-6);
    assertClose(v.unsqueeze(1).mul(v), v.outer(v), 0);
    Tensor in = randn(2);
    assertClose(in.mul(0.5).add(a.matmul(b).mul(2)), in.addmm(a, b, 0.5, 2), 1e-5);
    assertClose(Tensor.einsum("ij,jk->ik", a, b), a.matmul(b), 1e-6);
    assertClose(Tensor.einsum("ij->ji", a), a.t(), 0);
    assertError(ShapeException.class, () -> a.mv(randn(3)), "mv:", "[3, 4]", "[3]");
    assertError(DTypeException.class, () -> v.dot(v.to(DType.FLOAT64)), "dot:");
    assertError(ArgumentException.class, () -> Tensor.einsum("ij,jk->ik", a), "einsum:", "2 operands");
    assertError(ArgumentException.class, () -> Tensor.einsum("ij->é", a), "einsum:", "ASCII");
    assertError(ShapeException.class, () -> Tensor.einsum("ij,jk->ik", a, a), "einsum:", "subscript j");
  }
}
