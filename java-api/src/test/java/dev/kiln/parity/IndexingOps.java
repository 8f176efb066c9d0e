package dev.kiln.parity;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.Index;
import dev.kiln.Tensor;
import dev.kiln.parity.Fixtures.Args;
import dev.kiln.parity.Fixtures.Scalar;
import java.util.ArrayList;
import java.util.List;
import org.opentest4j.AssertionFailedError;

/**
 * Parity mapping: joining and splitting, rearranging, padding, indexing along a dim, scatter_reduce, advanced
 * indexing, masks and Python-style indexing (tools/fixtures/indexing_ops.py describes the arguments).
 */
final class IndexingOps {
  private IndexingOps() {}

  static void register(OpMap m) {
    m.on("cat", (x, a) -> Tensor.cat(x, a.has("dim") ? a.integer("dim") : 0));
    m.on("stack", (x, a) -> Tensor.stack(x, a.has("dim") ? a.integer("dim") : 0));
    m.on("split", (x, a) -> {
      int dim = a.has("dim") ? a.integer("dim") : 0;
      return a.isList("split_size_or_sections") ? x.get(0).split(a.longs("split_size_or_sections"), dim)
          : x.get(0).split(a.longValue("split_size_or_sections"), dim);
    });
    m.on("chunk", (x, a) -> x.get(0).chunk(a.integer("chunks"), a.has("dim") ? a.integer("dim") : 0));
    m.on("unbind", (x, a) -> a.has("dim") ? x.get(0).unbind(a.integer("dim")) : x.get(0).unbind());
    m.on("flip", (x, a) -> x.get(0).flip(a.ints("dims")));
    m.on("roll", (x, a) -> {
      long[] shifts = a.isList("shifts") ? a.longs("shifts") : new long[] {a.longValue("shifts")};
      return x.get(0).roll(shifts, a.has("dims") ? a.ints("dims") : new int[0]);
    });
    m.on("repeat", (x, a) -> x.get(0).repeat(a.longs("repeats")));
    m.on("tile", (x, a) -> x.get(0).tile(a.longs("dims")));
    m.on("tril", (x, a) -> a.has("diagonal") ? x.get(0).tril(a.longValue("diagonal")) : x.get(0).tril());
    m.on("triu", (x, a) -> a.has("diagonal") ? x.get(0).triu(a.longValue("diagonal")) : x.get(0).triu());
    m.on("diagonal", (x, a) -> x.get(0).diagonal(opt(a, "offset", 0), (int) opt(a, "dim1", 0), (int) opt(a, "dim2", 1)));
    m.on("diagonal_scatter", (x, a) -> x.get(0).diagonalScatter(x.get(1), opt(a, "offset", 0), (int) opt(a, "dim1", 0),
        (int) opt(a, "dim2", 1)));
    m.on("diag", (x, a) -> a.has("diagonal") ? x.get(0).diag(a.longValue("diagonal")) : x.get(0).diag());
    m.on("pad", (x, a) -> x.get(0).pad(a.longs("pad"), a.has("mode") ? a.string("mode") : "constant",
        a.has("value") ? a.number("value") : 0));
    m.on("select", (x, a) -> x.get(0).select(a.integer("dim"), a.longValue("index")));
    m.on("index_select", (x, a) -> x.get(0).indexSelect(a.integer("dim"), x.get(1)));
    m.on("index_add", (x, a) -> x.get(0).indexAdd(a.integer("dim"), x.get(1), x.get(2), a.has("alpha") ? a.number("alpha") : 1));
    m.on("index_add_", (x, a) -> x.get(0).indexAdd_(a.integer("dim"), x.get(1), x.get(2), a.has("alpha") ? a.number("alpha") : 1));
    m.on("scatter_reduce", (x, a) -> x.get(0).scatterReduce(a.integer("dim"), x.get(1), x.get(2), a.string("reduce"),
        a.bool("include_self", true)));
    m.on("scatter_reduce_", (x, a) -> x.get(0).scatterReduce_(a.integer("dim"), x.get(1), x.get(2), a.string("reduce"),
        a.bool("include_self", true)));
    m.on("index_put", (x, a) -> x.get(0).indexPut(indexList(x, a), x.get(1), a.bool("accumulate", false)));
    m.on("index_put_", (x, a) -> x.get(0).indexPut_(indexList(x, a), x.get(1), a.bool("accumulate", false)));
    m.on("masked_fill", (x, a) -> x.size() > 2 ? x.get(0).maskedFill(x.get(1), x.get(2)) : maskedFill(x, a, false));
    m.on("masked_fill_", (x, a) -> x.size() > 2 ? x.get(0).maskedFill_(x.get(1), x.get(2)) : maskedFill(x, a, true));
    m.on("masked_select", (x, a) -> x.get(0).maskedSelect(x.get(1)));
    m.on("nonzero", (x, a) -> a.bool("as_tuple", false) ? x.get(0).nonzeroAsTuple() : x.get(0).nonzero());
    m.on("take_along_dim", (x, a) -> a.has("dim") ? x.get(0).takeAlongDim(x.get(1), a.integer("dim"))
        : x.get(0).takeAlongDim(x.get(1)));
    m.on("one_hot", (x, a) -> a.has("num_classes") ? x.get(0).oneHot(a.longValue("num_classes")) : x.get(0).oneHot());
    m.on("getitem", (x, a) -> x.get(0).get(items(a.json("index").getAsJsonArray(), x.subList(1, x.size()))));
    m.on("setitem_", (x, a) -> {
      if (!a.has("value")) return x.get(0).set(x.get(1), items(a.json("index").getAsJsonArray(), x.subList(2, x.size())));
      Index[] index = items(a.json("index").getAsJsonArray(), x.subList(1, x.size()));
      Scalar v = a.scalar("value");
      return v.isFloat() ? x.get(0).set(v.asDouble(), index) : v.isInt() ? x.get(0).set(v.asLong(), index)
          : x.get(0).set(v.asBoolean(), index);
    });
    m.on("viewed_", IndexingOps::viewed);
  }

  private static long opt(Args a, String key, long otherwise) {
    return a.has(key) ? a.longValue(key) : otherwise;
  }

  private static Tensor[] indexList(List<Tensor> x, Args a) {
    long[] positions = a.longs("positions");
    Tensor[] list = new Tensor[positions.length == 0 ? 0 : (int) positions[positions.length - 1] + 1];
    for (int i = 0; i < positions.length; i++) list[(int) positions[i]] = x.get(2 + i);
    return list;
  }

  private static Tensor maskedFill(List<Tensor> x, Args a, boolean inPlace) {
    Scalar v = a.scalar("value");
    Tensor t = x.get(0), mask = x.get(1);
    if (v.isFloat()) return inPlace ? t.maskedFill_(mask, v.asDouble()) : t.maskedFill(mask, v.asDouble());
    if (v.isInt()) return inPlace ? t.maskedFill_(mask, v.asLong()) : t.maskedFill(mask, v.asLong());
    return inPlace ? t.maskedFill_(mask, v.asBoolean()) : t.maskedFill(mask, v.asBoolean());
  }

  /** Python index items (see indexing_ops.py) as Kiln's Index vocabulary. */
  static Index[] items(JsonArray json, List<Tensor> tensors) {
    List<Index> out = new ArrayList<>();
    for (JsonElement e : json) {
      if (e.isJsonNull()) {
        out.add(Index.newAxis());
      } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
        out.add(Index.ellipsis());
      } else if (e.isJsonPrimitive()) {
        out.add(Index.of(e.getAsLong()));
      } else if (e.getAsJsonObject().has("slice")) {
        JsonArray s = e.getAsJsonObject().getAsJsonArray("slice");
        long start = s.get(0).isJsonNull() ? 0 : s.get(0).getAsLong();
        long stop = s.get(1).isJsonNull() ? Long.MAX_VALUE : s.get(1).getAsLong();
        long step = s.get(2).isJsonNull() ? 1 : s.get(2).getAsLong();
        out.add(Index.slice(start, stop, step));
      } else {
        out.add(Index.of(tensors.get(e.getAsJsonObject().get("tensor").getAsInt())));
      }
    }
    return out.toArray(new Index[0]);
  }

  /** Views of input 0 (its base), then an in-place op on the last view; the base is the result. */
  private static Object viewed(List<Tensor> x, Args a) {
    Tensor v = x.get(0);
    for (JsonElement e : a.json("views").getAsJsonArray()) {
      JsonArray step = e.getAsJsonArray();
      v = switch (step.get(0).getAsString()) {
        case "select" -> v.select(step.get(1).getAsInt(), step.get(2).getAsLong());
        case "diagonal" -> v.diagonal();
        default -> Fixtures.applyView(v, step);
      };
    }
    String op = a.string("op");
    OpMap.OpCall call = OpMap.get(op);
    if (call == null) throw new AssertionFailedError("viewed_: unknown op " + op);
    Args inner = new Args(a.has("args") ? a.json("args").getAsJsonObject() : new JsonObject());
    List<Tensor> in = new ArrayList<>(x);
    in.set(0, v);
    call.call(in, inner);
    if (!inner.unread().isEmpty()) throw new AssertionFailedError("viewed_: arguments ignored: " + inner.unread());
    return x.get(0);
  }
}
