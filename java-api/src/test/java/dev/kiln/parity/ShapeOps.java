package dev.kiln.parity;

import dev.kiln.Tensor;

/** Parity mapping: views, copies and indexing. */
final class ShapeOps {
  private ShapeOps() {}

  static void register(OpMap m) {
    m.on("view", (x, a) -> x.get(0).view(a.longs("shape")));
    m.on("reshape", (x, a) -> x.get(0).reshape(a.longs("shape")));
    m.on("transpose", (x, a) -> x.get(0).transpose(a.integer("dim0"), a.integer("dim1")));
    m.unary("t", Tensor::t);
    m.on("permute", (x, a) -> x.get(0).permute(a.ints("dims")));
    m.on("narrow", (x, a) -> x.get(0).narrow(a.integer("dim"), a.longValue("start"), a.longValue("length")));
    m.on("slice", (x, a) -> a.has("step")
        ? x.get(0).slice(a.integer("dim"), a.longValue("start"), a.longValue("end"), a.longValue("step"))
        : x.get(0).slice(a.integer("dim"), a.longValue("start"), a.longValue("end")));
    m.on("expand", (x, a) -> x.get(0).expand(a.longs("shape")));
    m.on("expand_as", (x, a) -> x.get(0).expandAs(x.get(1)));
    m.on("squeeze", (x, a) -> a.has("dim") ? x.get(0).squeeze(a.integer("dim")) : x.get(0).squeeze());
    m.on("unsqueeze", (x, a) -> x.get(0).unsqueeze(a.integer("dim")));
    m.on("flatten", (x, a) -> a.has("start_dim") || a.has("end_dim")
        ? x.get(0).flatten(a.has("start_dim") ? a.integer("start_dim") : 0, a.has("end_dim") ? a.integer("end_dim") : -1)
        : x.get(0).flatten());
    m.unary("contiguous", Tensor::contiguous);
    m.on("to", (x, a) -> x.get(0).to(a.dtype("dtype")));
    m.unary("clone", Tensor::clone);
    m.on("gather", (x, a) -> x.get(0).gather(a.integer("dim"), x.get(1)));
    m.on("scatter", (x, a) -> x.get(0).scatter(a.integer("dim"), x.get(1), x.get(2)));
    m.on("scatter_add", (x, a) -> x.get(0).scatterAdd(a.integer("dim"), x.get(1), x.get(2)));
    m.on("slice_scatter", (x, a) -> x.get(0).sliceScatter(x.get(1), a.integer("dim"), a.longValue("start"),
        a.longValue("end"), a.longValue("step")));
  }
}
