package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.parity.Fixtures.Args;
import dev.kiln.parity.Fixtures.Scalar;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.opentest4j.AssertionFailedError;

/**
 * Every op the fixtures may name, with its Java call. Each family registers its ops in its own class
 * (ElementwiseOps, ReductionOps, ...); a new family adds its class to FAMILIES.
 */
final class OpMap {
  /** How a fixture op is called from Java: inputs and args in, a Tensor, ValuesAndIndices or String out. */
  @FunctionalInterface
  interface OpCall {
    Object call(List<Tensor> x, Args a);
  }

  @FunctionalInterface
  interface TensorOp {
    Tensor apply(Tensor a, Tensor b);
  }

  @FunctionalInterface
  interface LongOp {
    Tensor apply(Tensor a, long b);
  }

  @FunctionalInterface
  interface DoubleOp {
    Tensor apply(Tensor a, double b);
  }

  private final Map<String, OpCall> calls = new TreeMap<>();

  private static final OpMap ALL = new OpMap();

  static {
    ElementwiseOps.register(ALL);
    CreationOps.register(ALL);
    ReductionOps.register(ALL);
    LinalgOps.register(ALL);
    ShapeOps.register(ALL);
    MiscOps.register(ALL);
    ActivationOps.register(ALL);
    RandomOps.register(ALL);
    IndexingOps.register(ALL);
    MathOps.register(ALL);
    ConvOps.register(ALL);
    PoolingOps.register(ALL);
    NormOps.register(ALL);
    LossOps.register(ALL);
  }

  /** The Java call for a fixture op, or null. */
  static OpCall get(String op) {
    return ALL.calls.get(op);
  }

  static Set<String> names() {
    return ALL.calls.keySet();
  }


  void on(String op, OpCall call) {
    if (calls.put(op, call) != null) throw new IllegalStateException("op mapped twice: " + op);
  }

  /** op(tensor, tensor) or op(tensor, scalar) through the long or double overload; null: none in Java. */
  void binary(String op, TensorOp t, LongOp l, DoubleOp d) {
    on(op, (x, a) -> {
      if (x.size() == 2) return require(t, op, "Tensor").apply(x.get(0), x.get(1));
      Scalar s = a.scalar("other");
      if (s.isInt()) return require(l, op, "long").apply(x.get(0), s.asLong());
      if (s.isFloat()) return require(d, op, "double").apply(x.get(0), s.asDouble());
      throw new AssertionFailedError(op + ": Java has no boolean overload");
    });
  }

  private static <T> T require(T overload, String op, String type) {
    if (overload == null) throw new AssertionFailedError(op + ": Java has no " + type + " overload");
    return overload;
  }

  void unary(String op, java.util.function.UnaryOperator<Tensor> f) {
    on(op, (x, a) -> f.apply(x.get(0)));
  }

}
