package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Tensors laid out in memory other than densely, for the layout sweeps (OpLayoutTest, OpLayoutLargeTest), and the
 * comparison of their results with dense ones. Holds no tensors: a class that made some when it loads would see
 * them closed by whichever test's TensorScope happened to load it.
 */
final class Layouts {
  private Layouts() {}

  enum Layout {
    /** Every other element of the last dim, from offset 1: a gap after each element. */
    GAPS,
    /** The last two dims swapped in memory (column-major matrices), with gaps as in GAPS. */
    TRANSPOSED
  }

  /** x's values in the given layout (x itself where it has no element to move). */
  static Tensor relayout(Tensor x, Layout layout) {
    int rank = x.shape().length;
    Tensor y = x;
    if (layout == Layout.TRANSPOSED && rank >= 2) y = x.transpose(rank - 2, rank - 1);
    Tensor gapped = Tensor.stack(List.of(Tensor.full(gapValue(x.dtype()), x.dtype(), y.shape()), y), -1)
        .select(-1, 1);
    return layout == Layout.TRANSPOSED && rank >= 2 ? gapped.transpose(rank - 2, rank - 1) : gapped;
  }

  private static double gapValue(DType t) {
    if (t.isFloatingPoint()) return Double.NaN;
    return switch (t) {
      case BOOL -> 1;
      case UINT8 -> 255;
      case INT8 -> 127;
      case INT16 -> Short.MAX_VALUE;
      case INT32 -> Integer.MAX_VALUE;
      default -> 1L << 40;
    };
  }

  /** Same dtype, shape and values; floating values within a few rounding errors of float64 (summation order). */
  static void compare(String what, Tensor got, Tensor want) {
    assertEquals(want.dtype(), got.dtype(), what + ": dtype");
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    double[] g = got.to(DType.FLOAT64).toDoubleArray(), w = want.to(DType.FLOAT64).toDoubleArray();
    double scale = 0;
    for (double v : w) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    double tol = want.dtype() == DType.FLOAT64 ? 1e-11 : want.dtype().isFloatingPoint() ? 1e-5 : 0;
    for (int i = 0; i < g.length; i++) {
      if (Double.isNaN(w[i]) && Double.isNaN(g[i])) continue;
      if (w[i] == g[i]) continue;
      assertTrue(Math.abs(g[i] - w[i]) <= tol * Math.max(Math.abs(w[i]), scale),
          what + ": element " + i + " is " + g[i] + ", want " + w[i] + " (of " + g.length + ")");
    }
  }

  /**
   * The differentiable outputs of a dense run and of a run in another layout, each with a random output gradient:
   * dense for the dense run, the same values laid out for the other.
   */
  record Backward(List<Tensor> dense, List<Tensor> odd, List<Tensor> seeds, List<Tensor> oddSeeds) {
    static Backward of(Tensor[] dense, Tensor[] odd, Generator gen, UnaryOperator<Tensor> relayout) {
      Backward b = new Backward(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      for (int k = 0; k < dense.length; k++) {
        if (dense[k] == null || odd[k] == null || !dense[k].requiresGrad() || !odd[k].requiresGrad()) continue;
        Tensor g = Tensor.randn(gen, dense[k].dtype(), dense[k].shape());
        b.dense.add(dense[k]);
        b.odd.add(odd[k]);
        b.seeds.add(g);
        b.oddSeeds.add(relayout.apply(g));
      }
      return b;
    }

    boolean isEmpty() {
      return dense.isEmpty();
    }

    /** {dense run's gradients, other run's} with respect to the inputs (null: unused); record: create_graph. */
    Tensor[][] grads(Tensor[] denseInputs, Tensor[] oddInputs, boolean record) {
      return new Tensor[][] {
          Autograd.grad(dense.toArray(Tensor[]::new), denseInputs, seeds.toArray(Tensor[]::new), record, record, true),
          Autograd.grad(odd.toArray(Tensor[]::new), oddInputs, oddSeeds.toArray(Tensor[]::new), record, record, true)};
    }
  }
}
