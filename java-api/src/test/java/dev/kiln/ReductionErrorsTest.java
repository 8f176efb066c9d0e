package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input to the reduction family (statistics, norms, softmax, scans, sorting, unique): the typed exception,
 * a message that names the op and the dims, shapes or dtypes at fault, and inputs left as they were.
 */
class ReductionErrorsTest {
  private static final Tensor X = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
  private static final Tensor INTS = Tensor.of(new long[] {1, 2, 3});

  private static <T extends Throwable> void assertError(Class<T> type, Executable call, String... parts) {
    float[] before = X.toFloatArray();
    long[] ints = INTS.toLongArray();
    T e = assertThrows(type, call);
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    assertArrayEquals(before, X.toFloatArray(), "the input is unchanged");
    assertArrayEquals(ints, INTS.toLongArray(), "the input is unchanged");
  }

  @Test
  void dimsOutOfRange() {
    assertError(IndexException.class, () -> X.var(2), "var:", "[-2, 1]", "2");
    assertError(IndexException.class, () -> X.std(new int[] {0, -3}, true, false), "std:", "-3");
    assertError(IndexException.class, () -> X.prod(2), "prod:", "2");
    assertError(IndexException.class, () -> X.norm(2, 3), "norm:", "3");
    assertError(IndexException.class, () -> X.logsumexp(2), "logsumexp:", "2");
    assertError(IndexException.class, () -> X.amax(2), "amax:", "2");
    assertError(IndexException.class, () -> X.all(-3), "all:", "-3");
    assertError(IndexException.class, () -> X.countNonzero(5), "count_nonzero:", "5");
    assertError(IndexException.class, () -> X.softmax(2), "softmax:", "[-2, 1]");
    assertError(IndexException.class, () -> X.logSoftmax(-3), "log_softmax:", "-3");
    assertError(IndexException.class, () -> X.cumsum(2), "cumsum:", "2");
    assertError(IndexException.class, () -> X.cumprod(-3), "cumprod:", "-3");
    assertError(IndexException.class, () -> X.sort(2), "sort:", "2");
    assertError(IndexException.class, () -> X.argsort(2), "argsort:", "2");
    assertError(IndexException.class, () -> X.topk(1, 2), "topk:", "2");
    assertError(IndexException.class, () -> X.median(2), "median:", "2");
    assertError(IndexException.class, () -> X.mode(-3), "mode:", "-3");
    assertError(IndexException.class, () -> X.unique(true, false, false, 2), "unique_dim:", "2");
    assertError(ArgumentException.class, () -> X.var(new int[] {1, -1}, true, false), "var:", "dim 1", "multiple times");
  }

  @Test
  void wrongDtypes() {
    assertError(DTypeException.class, () -> INTS.var(), "var:", "int64");
    assertError(DTypeException.class, () -> INTS.stdMean(), "std_mean:", "int64");
    assertError(DTypeException.class, () -> INTS.norm(), "norm:", "int64");
    assertError(DTypeException.class, () -> INTS.vectorNorm(), "linalg.vector_norm:", "int64");
    assertError(DTypeException.class, () -> INTS.softmax(0), "softmax:", "int64");
    assertError(DTypeException.class, () -> INTS.logSoftmax(0), "log_softmax:", "int64");
    assertError(DTypeException.class, () -> INTS.nanmean(), "nanmean:", "int64");
    assertError(DTypeException.class, () -> X.vectorNorm(2, new int[0], false, DType.INT64), "linalg.vector_norm:", "int64");
    assertError(DTypeException.class, () -> Tensor.of(new double[] {1}).vectorNorm(2, new int[0], false, DType.FLOAT32),
        "linalg.vector_norm:", "float64", "float32");
    assertError(DTypeException.class, () -> INTS.cumsum(0, DType.BOOL), "cumsum:", "bool");
    assertError(DTypeException.class, () -> Tensor.of(new boolean[] {true}).topk(1), "topk:", "bool");
    assertError(DTypeException.class, () -> Tensor.of(new boolean[] {true}).median(), "median:", "bool");
  }

  @Test
  void valuesOutOfRange() {
    assertError(IndexException.class, () -> X.topk(4), "topk:", "k = 4", "[2, 3]");
    assertError(IndexException.class, () -> X.topk(-1), "topk:", "k = -1");
    assertError(IndexException.class, () -> X.kthvalue(0), "kthvalue:", "k = 0");
    assertError(IndexException.class, () -> X.kthvalue(3, 0), "kthvalue:", "dimension 0", "k = 3");
    assertError(IndexException.class, () -> Tensor.zeros(2, 0).median(1), "median:", "dim 1", "[2, 0]");
    assertError(IndexException.class, () -> Tensor.zeros(2, 0).mode(1), "mode:", "dim 1");
    assertError(IndexException.class, () -> Tensor.zeros(2, 0).amin(1), "amin:", "dim 1", "[2, 0]");
    assertError(ArgumentException.class, () -> Tensor.zeros(0).amax(), "amax:", "numel() == 0");
    assertError(ArgumentException.class, () -> Tensor.zeros(0, 2).vectorNorm(Double.POSITIVE_INFINITY), "linalg.vector_norm:",
        "empty", "[0, 2]");
    assertError(ShapeException.class, () -> Tensor.zeros(2, 0).unique(true, false, false, 0), "unique_dim:", "[2, 0]");
    assertError(IndexException.class, () -> Tensor.scalar(1.0).unique(true, false, false, 0), "unique_dim:");
    assertError(IllegalArgumentException.class, () -> X.norm("fro", new int[] {0, 1, 0}, false), "norm:", "fro");
    assertError(NotImplementedException.class, () -> X.norm("nuc"), "norm:", "nuc");
  }
}
