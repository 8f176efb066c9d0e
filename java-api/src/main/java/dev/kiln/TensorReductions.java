package dev.kiln;

import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/**
 * Reductions of a Tensor: over all elements or over dims, with keepdim (sums, extremes, statistics, norms,
 * logical reductions), softmax, cumulative scans, sorting and selection, and unique.
 * Part of {@link Tensor}'s API; split out by family to keep files small.
 */
public sealed interface TensorReductions permits Tensor {
  /** The sum of all elements (int64 for integer and bool tensors). */
  default Tensor sum() {
    return Calls.reduce(self(), ReductionIds.SUM, new int[0], false);
  }

  /** The sum over the given dims, which are removed from the shape. */
  default Tensor sum(int... dims) {
    return Calls.reduce(self(), ReductionIds.SUM, dims, false);
  }

  default Tensor sum(int dim, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.SUM, new int[] {dim}, keepdim);
  }

  default Tensor sum(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.SUM, dims, keepdim);
  }

  default Tensor mean() {
    return Calls.reduce(self(), ReductionIds.MEAN, new int[0], false);
  }

  default Tensor mean(int... dims) {
    return Calls.reduce(self(), ReductionIds.MEAN, dims, false);
  }

  default Tensor mean(int dim, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.MEAN, new int[] {dim}, keepdim);
  }

  default Tensor mean(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.MEAN, dims, keepdim);
  }

  /** The largest element (NaN if any element is NaN). */
  default Tensor max() {
    return Calls.unary(self(), ReductionIds.MAX);
  }

  /** The largest values along dim and their indices ({@code x.max(dim)}). */
  default ValuesAndIndices max(int dim) {
    return max(dim, false);
  }

  default ValuesAndIndices max(int dim, boolean keepdim) {
    return Calls.valuesAndIndices(self(), ReductionIds.MAX_DIM, dim, keepdim);
  }

  default Tensor min() {
    return Calls.unary(self(), ReductionIds.MIN);
  }

  default ValuesAndIndices min(int dim) {
    return min(dim, false);
  }

  default ValuesAndIndices min(int dim, boolean keepdim) {
    return Calls.valuesAndIndices(self(), ReductionIds.MIN_DIM, dim, keepdim);
  }

  /** The index of the largest element in the flattened tensor. */
  default Tensor argmax() {
    return Calls.unary(self(), ReductionIds.ARGMAX);
  }

  default Tensor argmax(int dim) {
    return argmax(dim, false);
  }

  default Tensor argmax(int dim, boolean keepdim) {
    return Calls.withInts(self(), ReductionIds.ARGMAX, dim, keepdim ? 1 : 0);
  }

  default Tensor argmin() {
    return Calls.unary(self(), ReductionIds.ARGMIN);
  }

  default Tensor argmin(int dim) {
    return argmin(dim, false);
  }

  default Tensor argmin(int dim, boolean keepdim) {
    return Calls.withInts(self(), ReductionIds.ARGMIN, dim, keepdim ? 1 : 0);
  }

  /** The largest value over dims (all when none), without indices; NaN wins. {@code x.amax(1)} */
  default Tensor amax(int... dims) {
    return Calls.reduce(self(), ReductionIds.AMAX, dims, false);
  }

  default Tensor amax(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.AMAX, dims, keepdim);
  }

  default Tensor amin(int... dims) {
    return Calls.reduce(self(), ReductionIds.AMIN, dims, false);
  }

  default Tensor amin(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.AMIN, dims, keepdim);
  }

  // ---------------------------------------------------------------- statistics

  /** The product of all elements (int64 for integer and bool tensors). */
  default Tensor prod() {
    return ReductionCalls.ints(self(), ReductionIds.PROD, 0, -1);
  }

  /** The product of all elements, computed in dtype. */
  default Tensor prod(DType dtype) {
    return ReductionCalls.ints(self(), ReductionIds.PROD, 0, dtype.code());
  }

  default Tensor prod(int dim) {
    return prod(dim, false);
  }

  /** The product along dim. {@code x.prod(1, true)} */
  default Tensor prod(int dim, boolean keepdim) {
    return ReductionCalls.ints(self(), ReductionIds.PROD, keepdim ? 1 : 0, -1, dim);
  }

  default Tensor prod(int dim, boolean keepdim, DType dtype) {
    return ReductionCalls.ints(self(), ReductionIds.PROD, keepdim ? 1 : 0, dtype.code(), dim);
  }

  /** The unbiased variance of all elements. */
  default Tensor var() {
    return var(new int[0], 1.0, false);
  }

  /** The variance of all elements; unbiased divides by n - 1, otherwise by n. */
  default Tensor var(boolean unbiased) {
    return var(new int[0], unbiased ? 1.0 : 0.0, false);
  }

  /** The unbiased variance over dims. {@code x.var(0, 2)} */
  default Tensor var(int... dims) {
    return var(dims, 1.0, false);
  }

  default Tensor var(int[] dims, boolean unbiased, boolean keepdim) {
    return var(dims, unbiased ? 1.0 : 0.0, keepdim);
  }

  /** The variance over dims, dividing by n - correction ({@code torch.var(x, dims, correction=c)}). */
  default Tensor var(int[] dims, double correction, boolean keepdim) {
    return ReductionCalls.dims(self(), ReductionIds.VAR, dims, keepdim, correction);
  }

  /** The unbiased standard deviation of all elements. */
  default Tensor std() {
    return std(new int[0], 1.0, false);
  }

  default Tensor std(boolean unbiased) {
    return std(new int[0], unbiased ? 1.0 : 0.0, false);
  }

  default Tensor std(int... dims) {
    return std(dims, 1.0, false);
  }

  default Tensor std(int[] dims, boolean unbiased, boolean keepdim) {
    return std(dims, unbiased ? 1.0 : 0.0, keepdim);
  }

  /** The standard deviation over dims, dividing by n - correction. */
  default Tensor std(int[] dims, double correction, boolean keepdim) {
    return ReductionCalls.dims(self(), ReductionIds.STD, dims, keepdim, correction);
  }

  /** The variance and the mean in one pass ({@code torch.var_mean}). */
  default VarMean varMean(int[] dims, double correction, boolean keepdim) {
    Tensor[] r = ReductionCalls.dimsMulti(self(), ReductionIds.VAR_MEAN, dims, keepdim, 2, correction);
    return new VarMean(r[0], r[1]);
  }

  default VarMean varMean() {
    return varMean(new int[0], 1.0, false);
  }

  /** The standard deviation and the mean in one pass ({@code torch.std_mean}). */
  default StdMean stdMean(int[] dims, double correction, boolean keepdim) {
    Tensor[] r = ReductionCalls.dimsMulti(self(), ReductionIds.STD_MEAN, dims, keepdim, 2, correction);
    return new StdMean(r[0], r[1]);
  }

  default StdMean stdMean() {
    return stdMean(new int[0], 1.0, false);
  }

  /** log(sum(exp(x))) over dims (all when none), computed without overflow. {@code x.logsumexp(1)} */
  default Tensor logsumexp(int... dims) {
    return Calls.reduce(self(), ReductionIds.LOGSUMEXP, dims, false);
  }

  default Tensor logsumexp(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.LOGSUMEXP, dims, keepdim);
  }

  /** The sum of the elements that are not NaN. */
  default Tensor nansum(int... dims) {
    return ReductionCalls.dtypeDims(self(), ReductionIds.NANSUM, dims, false, -1);
  }

  default Tensor nansum(int[] dims, boolean keepdim) {
    return ReductionCalls.dtypeDims(self(), ReductionIds.NANSUM, dims, keepdim, -1);
  }

  /** The mean of the elements that are not NaN. */
  default Tensor nanmean(int... dims) {
    return Calls.reduce(self(), ReductionIds.NANMEAN, dims, false);
  }

  default Tensor nanmean(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.NANMEAN, dims, keepdim);
  }

  // ---------------------------------------------------------------- norms

  /** The 2-norm of all elements (PyTorch's default, 'fro'). */
  default Tensor norm() {
    return norm(2.0, new int[0], false);
  }

  /** The p-norm of all elements: p any real, +-infinity, or 0 (the number of non-zero elements). */
  default Tensor norm(double p) {
    return norm(p, new int[0], false);
  }

  default Tensor norm(double p, int... dims) {
    return norm(p, dims, false);
  }

  /** The p-norm over dims. {@code x.norm(1, new int[] {1}, true)} */
  default Tensor norm(double p, int[] dims, boolean keepdim) {
    return ReductionCalls.norm(self(), ReductionIds.NORM, p, dims, keepdim, -1);
  }

  /** The p-norm over dims, computed in dtype. */
  default Tensor norm(double p, int[] dims, boolean keepdim, DType dtype) {
    return ReductionCalls.norm(self(), ReductionIds.NORM, p, dims, keepdim, dtype.code());
  }

  /** A norm named as PyTorch names it: "fro" (over all dims, or at most two). "nuc" is not supported. */
  default Tensor norm(String p) {
    return norm(p, new int[0], false);
  }

  default Tensor norm(String p, int[] dims, boolean keepdim) {
    if (p.equals("fro")) {
      if (dims.length > 2)
        throw new IllegalArgumentException("norm: 'fro' takes at most 2 dims, got " + java.util.Arrays.toString(dims));
      return norm(2.0, dims, keepdim);
    }
    if (p.equals("nuc")) throw new NotImplementedException("norm: the nuclear norm ('nuc') is not supported");
    throw new IllegalArgumentException("norm: only valid string values are 'fro' and 'nuc', found " + p);
  }

  /** The 2-norm of all elements ({@code torch.linalg.vector_norm}). */
  default Tensor vectorNorm() {
    return vectorNorm(2.0, new int[0], false);
  }

  default Tensor vectorNorm(double ord) {
    return vectorNorm(ord, new int[0], false);
  }

  /** torch.linalg.vector_norm over dims (all when none): ord any real, +-infinity, or 0. */
  default Tensor vectorNorm(double ord, int[] dims, boolean keepdim) {
    return ReductionCalls.norm(self(), ReductionIds.VECTOR_NORM, ord, dims, keepdim, -1);
  }

  /** As above, computed in dtype (which must not narrow the input's). */
  default Tensor vectorNorm(double ord, int[] dims, boolean keepdim, DType dtype) {
    return ReductionCalls.norm(self(), ReductionIds.VECTOR_NORM, ord, dims, keepdim, dtype.code());
  }

  // ---------------------------------------------------------------- logical

  /** Whether every element is non-zero (any dtype; a bool result). */
  default Tensor all() {
    return Calls.reduce(self(), ReductionIds.ALL, new int[0], false);
  }

  default Tensor all(int dim) {
    return all(new int[] {dim}, false);
  }

  default Tensor all(int dim, boolean keepdim) {
    return all(new int[] {dim}, keepdim);
  }

  default Tensor all(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.ALL, dims, keepdim);
  }

  /** Whether some element is non-zero (any dtype; a bool result). */
  default Tensor any() {
    return Calls.reduce(self(), ReductionIds.ANY, new int[0], false);
  }

  default Tensor any(int dim) {
    return any(new int[] {dim}, false);
  }

  default Tensor any(int dim, boolean keepdim) {
    return any(new int[] {dim}, keepdim);
  }

  default Tensor any(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.ANY, dims, keepdim);
  }

  /** The number of non-zero elements over dims (all when none), as int64. */
  default Tensor countNonzero(int... dims) {
    return ReductionCalls.ints(self(), ReductionIds.COUNT_NONZERO, toLongs(dims));
  }

  // ---------------------------------------------------------------- softmax and scans

  /** softmax along dim: exp(x) / sum(exp(x)), computed stably. {@code logits.softmax(-1)} */
  default Tensor softmax(int dim) {
    return ReductionCalls.ints(self(), ReductionIds.SOFTMAX, dim);
  }

  /** softmax of the input converted to dtype. */
  default Tensor softmax(int dim, DType dtype) {
    return ReductionCalls.ints(self(), ReductionIds.SOFTMAX, dim, dtype.code());
  }

  /** log(softmax(x)) along dim, computed stably. */
  default Tensor logSoftmax(int dim) {
    return ReductionCalls.ints(self(), ReductionIds.LOG_SOFTMAX, dim);
  }

  default Tensor logSoftmax(int dim, DType dtype) {
    return ReductionCalls.ints(self(), ReductionIds.LOG_SOFTMAX, dim, dtype.code());
  }

  /** The cumulative sum along dim (int64 for integer and bool tensors). {@code x.cumsum(0)} */
  default Tensor cumsum(int dim) {
    return ReductionCalls.ints(self(), ReductionIds.CUMSUM, dim, 0, -1);
  }

  default Tensor cumsum(int dim, DType dtype) {
    return ReductionCalls.ints(self(), ReductionIds.CUMSUM, dim, 0, dtype.code());
  }

  /** The cumulative product along dim (int64 for integer and bool tensors). */
  default Tensor cumprod(int dim) {
    return ReductionCalls.ints(self(), ReductionIds.CUMPROD, dim, 0, -1);
  }

  default Tensor cumprod(int dim, DType dtype) {
    return ReductionCalls.ints(self(), ReductionIds.CUMPROD, dim, 0, dtype.code());
  }

  // ---------------------------------------------------------------- sorting and selection

  /** Sorts along the last dim, ascending: values and their int64 indices. NaN sorts last. */
  default ValuesAndIndices sort() {
    return sort(-1, false, false);
  }

  default ValuesAndIndices sort(int dim) {
    return sort(dim, false, false);
  }

  default ValuesAndIndices sort(int dim, boolean descending) {
    return sort(dim, descending, false);
  }

  /** Sorts along dim. Kiln's sorts are always stable: equal elements keep their order. */
  default ValuesAndIndices sort(int dim, boolean descending, boolean stable) {
    return ReductionCalls.pair(self(), ReductionIds.SORT, dim, descending ? 1 : 0, stable ? 1 : 0);
  }

  /** The indices that sort the last dim ascending. */
  default Tensor argsort() {
    return argsort(-1, false, false);
  }

  default Tensor argsort(int dim) {
    return argsort(dim, false, false);
  }

  default Tensor argsort(int dim, boolean descending) {
    return argsort(dim, descending, false);
  }

  default Tensor argsort(int dim, boolean descending, boolean stable) {
    return ReductionCalls.ints(self(), ReductionIds.ARGSORT, dim, descending ? 1 : 0, stable ? 1 : 0);
  }

  /** The k largest elements along the last dim, largest first, with their indices. */
  default ValuesAndIndices topk(long k) {
    return topk(k, -1, true, true);
  }

  default ValuesAndIndices topk(long k, int dim) {
    return topk(k, dim, true, true);
  }

  /** The k largest (or smallest) elements along dim, in order (the result is sorted either way). */
  default ValuesAndIndices topk(long k, int dim, boolean largest, boolean sorted) {
    return ReductionCalls.pair(self(), ReductionIds.TOPK, k, dim, largest ? 1 : 0, sorted ? 1 : 0);
  }

  /** The k-th smallest element along the last dim (k counts from 1) and its index. */
  default ValuesAndIndices kthvalue(long k) {
    return kthvalue(k, -1, false);
  }

  default ValuesAndIndices kthvalue(long k, int dim) {
    return kthvalue(k, dim, false);
  }

  default ValuesAndIndices kthvalue(long k, int dim, boolean keepdim) {
    return ReductionCalls.pair(self(), ReductionIds.KTHVALUE, k, dim, keepdim ? 1 : 0);
  }

  /** The lower median of all elements (NaN if any is NaN). */
  default Tensor median() {
    return Calls.unary(self(), ReductionIds.MEDIAN);
  }

  /** The lower median along dim and its index. */
  default ValuesAndIndices median(int dim) {
    return median(dim, false);
  }

  default ValuesAndIndices median(int dim, boolean keepdim) {
    return Calls.valuesAndIndices(self(), ReductionIds.MEDIAN_DIM, dim, keepdim);
  }

  /** The lower median of the elements that are not NaN. */
  default Tensor nanmedian() {
    return Calls.unary(self(), ReductionIds.NANMEDIAN);
  }

  default ValuesAndIndices nanmedian(int dim) {
    return nanmedian(dim, false);
  }

  default ValuesAndIndices nanmedian(int dim, boolean keepdim) {
    return Calls.valuesAndIndices(self(), ReductionIds.NANMEDIAN_DIM, dim, keepdim);
  }

  /** The most frequent value along the last dim (the smallest among ties) and the index of its last occurrence. */
  default ValuesAndIndices mode() {
    return mode(-1, false);
  }

  default ValuesAndIndices mode(int dim) {
    return mode(dim, false);
  }

  default ValuesAndIndices mode(int dim, boolean keepdim) {
    return Calls.valuesAndIndices(self(), ReductionIds.MODE, dim, keepdim);
  }

  /** The distinct elements, sorted. */
  default Tensor unique() {
    return unique(true, false, false).values();
  }

  /**
   * The distinct elements (sorted: Kiln always sorts them), with the index of each element's value among them
   * (x's shape) and the count of each, when asked for; the others are null.
   */
  default Unique unique(boolean sorted, boolean returnInverse, boolean returnCounts) {
    long[] out = ReductionCalls.multi(self(), ReductionIds.UNIQUE, 3, sorted ? 1 : 0, returnInverse ? 1 : 0,
        returnCounts ? 1 : 0);
    return Unique.of(out, returnInverse, returnCounts);
  }

  /** The distinct slices along dim, with the inverse indices (one per slice) and counts when asked for. */
  default Unique unique(boolean sorted, boolean returnInverse, boolean returnCounts, int dim) {
    long[] out = ReductionCalls.multi(self(), ReductionIds.UNIQUE_DIM, 3, dim, sorted ? 1 : 0,
        returnInverse ? 1 : 0, returnCounts ? 1 : 0);
    return Unique.of(out, returnInverse, returnCounts);
  }

  private static long[] toLongs(int[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorReductions, resolved by name once. */
final class ReductionIds {
  static final int ALL = Core.op("all"),
      AMAX = Core.op("amax"),
      AMIN = Core.op("amin"),
      ANY = Core.op("any"),
      ARGMAX = Core.op("argmax"),
      ARGMIN = Core.op("argmin"),
      ARGSORT = Core.op("argsort"),
      COUNT_NONZERO = Core.op("count_nonzero"),
      CUMPROD = Core.op("cumprod"),
      CUMSUM = Core.op("cumsum"),
      KTHVALUE = Core.op("kthvalue"),
      LOG_SOFTMAX = Core.op("log_softmax"),
      LOGSUMEXP = Core.op("logsumexp"),
      MAX = Core.op("max"),
      MAX_DIM = Core.op("max_dim"),
      MEAN = Core.op("mean"),
      MEDIAN = Core.op("median"),
      MEDIAN_DIM = Core.op("median_dim"),
      MIN = Core.op("min"),
      MIN_DIM = Core.op("min_dim"),
      MODE = Core.op("mode"),
      NANMEAN = Core.op("nanmean"),
      NANMEDIAN = Core.op("nanmedian"),
      NANMEDIAN_DIM = Core.op("nanmedian_dim"),
      NANSUM = Core.op("nansum"),
      NORM = Core.op("norm"),
      PROD = Core.op("prod"),
      SOFTMAX = Core.op("softmax"),
      SORT = Core.op("sort"),
      STD = Core.op("std"),
      STD_MEAN = Core.op("std_mean"),
      SUM = Core.op("sum"),
      TOPK = Core.op("topk"),
      UNIQUE = Core.op("unique"),
      UNIQUE_DIM = Core.op("unique_dim"),
      VAR = Core.op("var"),
      VAR_MEAN = Core.op("var_mean"),
      VECTOR_NORM = Core.op("linalg_vector_norm");

  private ReductionIds() {}
}

/** The shapes of the native calls of TensorReductions beyond those Calls has. */
final class ReductionCalls {
  private ReductionCalls() {}

  static Tensor ints(Tensor self, int op, long... ints) {
    return new Tensor(Core.call(op, Frame.of(new long[] {self.handle()}, ints)));
  }

  static long[] multi(Tensor self, int op, int outputs, long... ints) {
    return Core.call(op, Frame.of(new long[] {self.handle()}, ints), outputs);
  }

  static ValuesAndIndices pair(Tensor self, int op, long... ints) {
    long[] out = multi(self, op, 2, ints);
    return new ValuesAndIndices(new Tensor(out[0]), new Tensor(out[1]));
  }

  /** ints [keepdim, dims...] and the reals. */
  static long[] dimsInts(int[] dims, boolean keepdim) {
    long[] ints = new long[dims.length + 1];
    ints[0] = keepdim ? 1 : 0;
    for (int i = 0; i < dims.length; i++) ints[i + 1] = dims[i];
    return ints;
  }

  static Tensor dims(Tensor self, int op, int[] dims, boolean keepdim, double... reals) {
    return new Tensor(Core.call(op, Frame.of(new long[] {self.handle()}, dimsInts(dims, keepdim), reals)));
  }

  static Tensor[] dimsMulti(Tensor self, int op, int[] dims, boolean keepdim, int outputs, double... reals) {
    long[] out = Core.call(op, Frame.of(new long[] {self.handle()}, dimsInts(dims, keepdim), reals), outputs);
    Tensor[] t = new Tensor[out.length];
    for (int i = 0; i < out.length; i++) t[i] = new Tensor(out[i]);
    return t;
  }

  /** ints [keepdim, dtype code, dims...]. */
  static Tensor dtypeDims(Tensor self, int op, int[] dims, boolean keepdim, int dtypeCode, double... reals) {
    long[] ints = new long[dims.length + 2];
    ints[0] = keepdim ? 1 : 0;
    ints[1] = dtypeCode;
    for (int i = 0; i < dims.length; i++) ints[i + 2] = dims[i];
    return new Tensor(Core.call(op, Frame.of(new long[] {self.handle()}, ints, reals)));
  }

  static Tensor norm(Tensor self, int op, double p, int[] dims, boolean keepdim, int dtypeCode) {
    return dtypeDims(self, op, dims, keepdim, dtypeCode, p);
  }
}
