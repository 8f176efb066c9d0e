package dev.kiln.parity;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.Unique;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.parity.Fixtures.Args;
import java.util.ArrayList;
import java.util.List;

/** Parity mapping: reductions. */
final class ReductionOps {
  private ReductionOps() {}

  static void register(OpMap m) {
    m.on("sum", (x, a) -> reduce(x.get(0), a, Tensor::sum, Tensor::sum, Tensor::sum, Tensor::sum));
    m.on("mean", (x, a) -> reduce(x.get(0), a, Tensor::mean, Tensor::mean, Tensor::mean, Tensor::mean));
    m.on("max", (x, a) -> extreme(x.get(0), a, true));
    m.on("min", (x, a) -> extreme(x.get(0), a, false));
    m.on("argmax", (x, a) -> !a.has("dim") ? x.get(0).argmax()
        : a.has("keepdim") ? x.get(0).argmax(a.integer("dim"), a.bool("keepdim", false)) : x.get(0).argmax(a.integer("dim")));
    m.on("argmin", (x, a) -> !a.has("dim") ? x.get(0).argmin()
        : a.has("keepdim") ? x.get(0).argmin(a.integer("dim"), a.bool("keepdim", false)) : x.get(0).argmin(a.integer("dim")));
    m.on("amax", (x, a) -> reduce(x.get(0), a, Tensor::amax, Tensor::amax, (t, d, k) -> t.amax(new int[] {d}, k),
        Tensor::amax));
    m.on("amin", (x, a) -> reduce(x.get(0), a, Tensor::amin, Tensor::amin, (t, d, k) -> t.amin(new int[] {d}, k),
        Tensor::amin));
    m.on("prod", (x, a) -> prod(x.get(0), a));
    m.on("var", (x, a) -> List.of(x.get(0).var(dims(a), correction(a), a.bool("keepdim", false))));
    m.on("std", (x, a) -> List.of(x.get(0).std(dims(a), correction(a), a.bool("keepdim", false))));
    m.on("var_mean", (x, a) -> {
      var r = x.get(0).varMean(dims(a), correction(a), a.bool("keepdim", false));
      return List.of(r.var(), r.mean());
    });
    m.on("std_mean", (x, a) -> {
      var r = x.get(0).stdMean(dims(a), correction(a), a.bool("keepdim", false));
      return List.of(r.std(), r.mean());
    });
    m.on("norm", (x, a) -> {
      int[] dims = a.has("dim") ? a.ints("dim") : new int[0];
      boolean keepdim = a.bool("keepdim", false);
      if (a.isString("p")) return x.get(0).norm(a.string("p"), dims, keepdim);
      double p = a.scalar("p").asDouble();
      return a.has("dtype") ? x.get(0).norm(p, dims, keepdim, a.dtype("dtype")) : x.get(0).norm(p, dims, keepdim);
    });
    m.on("vector_norm", (x, a) -> {
      int[] dims = a.has("dim") ? a.ints("dim") : new int[0];
      double ord = a.scalar("ord").asDouble();
      boolean keepdim = a.bool("keepdim", false);
      return a.has("dtype") ? x.get(0).vectorNorm(ord, dims, keepdim, a.dtype("dtype"))
          : x.get(0).vectorNorm(ord, dims, keepdim);
    });
    m.on("logsumexp", (x, a) -> x.get(0).logsumexp(a.ints("dim"), a.bool("keepdim", false)));
    m.on("nansum", (x, a) -> x.get(0).nansum(dims(a), a.bool("keepdim", false)));
    m.on("nanmean", (x, a) -> x.get(0).nanmean(dims(a), a.bool("keepdim", false)));
    m.on("all", (x, a) -> a.has("dim") ? x.get(0).all(a.ints("dim"), a.bool("keepdim", false)) : x.get(0).all());
    m.on("any", (x, a) -> a.has("dim") ? x.get(0).any(a.ints("dim"), a.bool("keepdim", false)) : x.get(0).any());
    m.on("count_nonzero", (x, a) -> x.get(0).countNonzero(dims(a)));
    m.on("softmax", (x, a) -> a.has("dtype") ? x.get(0).softmax(a.integer("dim"), a.dtype("dtype"))
        : x.get(0).softmax(a.integer("dim")));
    m.on("log_softmax", (x, a) -> a.has("dtype") ? x.get(0).logSoftmax(a.integer("dim"), a.dtype("dtype"))
        : x.get(0).logSoftmax(a.integer("dim")));
    m.on("_softmax_backward_data", (x, a) -> backwardData("_softmax_backward_data", x, a.integer("dim")));
    m.on("_log_softmax_backward_data", (x, a) -> backwardData("_log_softmax_backward_data", x, a.integer("dim")));
    m.on("cumsum", (x, a) -> a.has("dtype") ? x.get(0).cumsum(a.integer("dim"), a.dtype("dtype"))
        : x.get(0).cumsum(a.integer("dim")));
    m.on("cumprod", (x, a) -> a.has("dtype") ? x.get(0).cumprod(a.integer("dim"), a.dtype("dtype"))
        : x.get(0).cumprod(a.integer("dim")));
    m.on("sort", (x, a) -> x.get(0).sort(dim(a, -1), a.bool("descending", false), a.bool("stable", false)));
    m.on("argsort", (x, a) -> x.get(0).argsort(dim(a, -1), a.bool("descending", false), a.bool("stable", false)));
    m.on("topk", (x, a) -> x.get(0).topk(a.longValue("k"), dim(a, -1), a.bool("largest", true), a.bool("sorted", true)));
    m.on("kthvalue", (x, a) -> x.get(0).kthvalue(a.longValue("k"), dim(a, -1), a.bool("keepdim", false)));
    m.on("median", (x, a) -> a.has("dim") ? x.get(0).median(a.integer("dim"), a.bool("keepdim", false))
        : x.get(0).median());
    m.on("nanmedian", (x, a) -> a.has("dim") ? x.get(0).nanmedian(a.integer("dim"), a.bool("keepdim", false))
        : x.get(0).nanmedian());
    m.on("mode", (x, a) -> x.get(0).mode(dim(a, -1), a.bool("keepdim", false)));
    m.on("unique", (x, a) -> {
      boolean sorted = a.bool("sorted", true), inverse = a.bool("return_inverse", false),
          counts = a.bool("return_counts", false);
      Unique u = a.has("dim") ? x.get(0).unique(sorted, inverse, counts, a.integer("dim"))
          : x.get(0).unique(sorted, inverse, counts);
      List<Tensor> out = new ArrayList<>(List.of(u.values()));
      if (inverse) out.add(u.inverse());
      if (counts) out.add(u.counts());
      return out;
    });
  }

  static int[] dims(Args a) {
    return a.has("dim") ? a.ints("dim") : new int[0];
  }

  static int dim(Args a, int otherwise) {
    return a.has("dim") ? a.integer("dim") : otherwise;
  }

  /** unbiased (a flag) or correction (a number): the divisor is n - correction. */
  static double correction(Args a) {
    if (a.has("correction")) return a.longValue("correction");
    return a.bool("unbiased", true) ? 1 : 0;
  }

  static Tensor prod(Tensor t, Args a) {
    DType dtype = a.has("dtype") ? a.dtype("dtype") : null;
    if (!a.has("dim")) return dtype == null ? t.prod() : t.prod(dtype);
    int dim = a.integer("dim");
    boolean keepdim = a.bool("keepdim", false);
    return dtype == null ? t.prod(dim, keepdim) : t.prod(dim, keepdim, dtype);
  }

  /** softmax's backward rows are not Tensor methods: they are called by their op id. */
  static Tensor backwardData(String op, List<Tensor> x, int dim) {
    return Tensor.adopt(Core.call(Core.op(op), Frame.of(new long[] {x.get(0).handle(), x.get(1).handle()},
        new long[] {dim})));
  }

  interface Reduce {
    Tensor all(Tensor t);
  }

  interface ReduceDims {
    Tensor dims(Tensor t, int... dims);
  }

  interface ReduceDim {
    Tensor dim(Tensor t, int dim, boolean keepdim);
  }

  interface ReduceDimList {
    Tensor dims(Tensor t, int[] dims, boolean keepdim);
  }

  static Tensor reduce(Tensor t, Args a, Reduce all, ReduceDims dims, ReduceDim dim, ReduceDimList list) {
    if (!a.has("dim")) return all.all(t);
    boolean isList = a.isList("dim");
    int[] d = a.ints("dim");
    if (!a.has("keepdim")) return dims.dims(t, d);
    boolean keepdim = a.bool("keepdim", false);
    return isList ? list.dims(t, d, keepdim) : dim.dim(t, d[0], keepdim);
  }

  static Object extreme(Tensor t, Args a, boolean max) {
    if (!a.has("dim")) return max ? t.max() : t.min();
    int dim = a.integer("dim");
    if (!a.has("keepdim")) return max ? t.max(dim) : t.min(dim);
    boolean keepdim = a.bool("keepdim", false);
    return max ? t.max(dim, keepdim) : t.min(dim, keepdim);
  }
}
