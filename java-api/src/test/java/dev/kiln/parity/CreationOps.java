package dev.kiln.parity;


import dev.kiln.Tensor;
import dev.kiln.parity.Fixtures.Args;
import dev.kiln.parity.Fixtures.Scalar;
import java.util.List;
import org.opentest4j.AssertionFailedError;

/** Parity mapping: creation ops. */
final class CreationOps {
  private CreationOps() {}

  static void register(OpMap m) {
    m.on("zeros", (x, a) -> a.has("dtype") ? Tensor.zeros(a.dtype("dtype"), a.longs("shape")) : Tensor.zeros(a.longs("shape")));
    m.on("ones", (x, a) -> a.has("dtype") ? Tensor.ones(a.dtype("dtype"), a.longs("shape")) : Tensor.ones(a.longs("shape")));
    m.on("empty", (x, a) -> a.has("dtype") ? Tensor.empty(a.dtype("dtype"), a.longs("shape")) : Tensor.empty(a.longs("shape")));
    m.on("full", CreationOps::full);
    m.on("arange", CreationOps::arange);
    m.on("eye", (x, a) -> {
      if (a.has("dtype")) return Tensor.eye(a.dtype("dtype"), a.longValue("n"), a.longValue("m"));
      return a.has("m") ? Tensor.eye(a.longValue("n"), a.longValue("m")) : Tensor.eye(a.longValue("n"));
    });
    m.on("zeros_like", (x, a) -> Tensor.zerosLike(x.get(0)));
    m.on("ones_like", (x, a) -> Tensor.onesLike(x.get(0)));
    m.on("scalar", CreationOps::scalar);
  }

  static Tensor full(List<Tensor> x, Args a) {
    Scalar v = a.scalar("value");
    long[] shape = a.longs("shape");
    if (a.has("dtype")) {
      if (v.isBool()) return Tensor.full(v.asBoolean() ? 1.0 : 0.0, a.dtype("dtype"), shape);
      if (v.isInt()) return Tensor.full(v.asLong(), a.dtype("dtype"), shape);
      return Tensor.full(v.asDouble(), a.dtype("dtype"), shape);
    }
    if (v.isInt()) return Tensor.full(v.asLong(), shape);
    if (v.isFloat()) return Tensor.full(v.asDouble(), shape);
    throw new AssertionFailedError("full: Java has no boolean overload without a dtype");
  }

  static Tensor arange(List<Tensor> x, Args a) {
    Scalar end = a.scalar("end");
    Scalar start = a.has("start") ? a.scalar("start") : null;
    Scalar step = a.has("step") ? a.scalar("step") : null;
    if (a.has("dtype")) {
      return Tensor.arange(a.dtype("dtype"), start == null ? 0 : start.asDouble(), end.asDouble(),
          step == null ? 1 : step.asDouble());
    }
    boolean ints = end.isInt() && (start == null || start.isInt()) && (step == null || step.isInt());
    if (ints) {
      if (start == null) return Tensor.arange(end.asLong());
      if (step == null) return Tensor.arange(start.asLong(), end.asLong());
      return Tensor.arange(start.asLong(), end.asLong(), step.asLong());
    }
    if (start == null || step == null) throw new AssertionFailedError("arange: Java has no float overload without start and step");
    return Tensor.arange(start.asDouble(), end.asDouble(), step.asDouble());
  }

  static Tensor scalar(List<Tensor> x, Args a) {
    Scalar v = a.scalar("value");
    if (a.has("dtype")) {
      if (v.isBool()) throw new AssertionFailedError("scalar: Java has no (boolean, DType) overload");
      if (v.isInt()) return Tensor.scalar(v.asLong(), a.dtype("dtype"));
      return Tensor.scalar(v.asDouble(), a.dtype("dtype"));
    }
    if (v.isInt()) return Tensor.scalar(v.asLong());
    if (v.isBool()) return Tensor.scalar(v.asBoolean());
    return Tensor.scalar(v.asDouble());
  }
}
