package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.parity.Fixtures.Args;

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
