package dev.kiln.reliability;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One random program of the differential fuzzer: contiguous leaves, a view of each (transposed, strided,
 * expanded or as is), then steps over the values so far. It runs in Kiln and in the reference (RefTensor) and
 * prints itself as Java, so that a failing one can be pasted into FuzzRegressionTest.
 */
class FuzzProgram {
  enum Layout { AS_IS, TRANSPOSED, STRIDED, EXPANDED }

  /** A leaf: its values (row-major) and shape, its dtype, and the view the program sees it through. */
  record Leaf(double[] values, long[] shape, boolean float64, Layout layout) {}

  enum Kind {
    NEG, EXP, TANH, SIGMOID, RELU, ABS, SIN, SQUARE, CLAMP, ADD, SUB, MUL, DIV, MAXIMUM, SUM, MEAN, AMAX, LOGSUMEXP,
    CUMSUM, TRANSPOSE, PERMUTE, SLICE, EXPAND, UNSQUEEZE, FLIP, FLATTEN, CAT, MATMUL, MATMUL_T, SOFTMAX, LOG_SOFTMAX
  }

  /** values[a] (and values[b]) through the op; args: dims, sizes, slice bounds, as the kind reads them. */
  record Step(Kind kind, int a, int b, long... args) {}

  final List<Leaf> leaves;
  final List<Step> steps;

  FuzzProgram(List<Leaf> leaves, List<Step> steps) {
    this.leaves = leaves;
    this.steps = steps;
  }

  FuzzProgram prefix(int n) {
    return new FuzzProgram(leaves, steps.subList(0, n));
  }

  boolean allFloat64() {
    return leaves.stream().allMatch(Leaf::float64);
  }

  // ---- the reference

  /** The leaves' views as the reference sees them. */
  static RefTensor view(RefTensor x, Layout layout) {
    return switch (layout) {
      case AS_IS -> x;
      case TRANSPOSED -> x.transpose(x.dim() - 2, x.dim() - 1);
      case STRIDED -> x.slice(x.dim() - 1, 0, x.shape[x.dim() - 1], 2);
      case EXPANDED -> x.expand(expandedShape(x.shape));
    };
  }

  /** The leaf's size-1 dims at size 3 (an expanded view of it). */
  static long[] expandedShape(long[] shape) {
    long[] out = shape.clone();
    for (int d = 0; d < out.length; d++) if (out[d] == 1) out[d] = 3;
    return out;
  }

  /** Every value of the program in the reference (leaf views first); ends early at a step the reference refuses. */
  List<RefTensor> runReference(List<RefTensor> leafValues) {
    List<RefTensor> v = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) v.add(view(leafValues.get(i), leaves.get(i).layout()));
    for (Step s : steps) v.add(reference(s, v));
    return v;
  }

  List<RefTensor> runReference() {
    return runReference(referenceLeaves());
  }

  List<RefTensor> referenceLeaves() {
    return leaves.stream().map(l -> RefTensor.of(l.values(), l.shape()).asFloat32(!l.float64())).toList();
  }

  static RefTensor reference(Step s, List<RefTensor> v) {
    RefTensor a = v.get(s.a());
    long[] g = s.args();
    return switch (s.kind()) {
      case NEG -> a.map(x -> -x);
      case EXP -> a.map(Math::exp);
      case TANH -> a.map(Math::tanh);
      case SIGMOID -> a.map(x -> 1 / (1 + Math.exp(-x)));
      case RELU -> a.map(x -> x > 0 || Double.isNaN(x) ? x : 0);
      case ABS -> a.map(Math::abs);
      case SIN -> a.map(Math::sin);
      case SQUARE -> a.map(x -> x * x);
      case CLAMP -> a.map(x -> Math.min(Math.max(x, -1), 1)); // Math.max/min keep NaN, as clamp does
      case DIV -> a.zip(v.get(s.b()), (x, y) -> x / y);
      case MAXIMUM -> a.zip(v.get(s.b()), Math::max);
      case LOGSUMEXP -> a.logsumexp(dim(g[0], a.dim()), g[1] != 0);
      case CUMSUM -> a.cumsum(dim(g[0], a.dim()));
      case FLIP -> a.flip(dim(g[0], a.dim()));
      case FLATTEN -> RefTensor.of(a.values(), a.numel()).asFloat32(a.float32);
      case CAT -> a.cat(v.get(s.b()), dim(g[0], a.dim()));
      case ADD -> a.zip(v.get(s.b()), Double::sum);
      case SUB -> a.zip(v.get(s.b()), (x, y) -> x - y);
      case MUL -> a.zip(v.get(s.b()), (x, y) -> x * y);
      case SUM -> a.reduce(dim(g[0], a.dim()), g[1] != 0, RefTensor.Reduction.SUM);
      case MEAN -> a.reduce(dim(g[0], a.dim()), g[1] != 0, RefTensor.Reduction.MEAN);
      case AMAX -> a.reduce(dim(g[0], a.dim()), g[1] != 0, RefTensor.Reduction.AMAX);
      case TRANSPOSE -> a.transpose(dim(g[0], a.dim()), dim(g[1], a.dim()));
      case PERMUTE -> a.permute(Arrays.stream(g).mapToInt(d -> (int) d).toArray());
      case SLICE -> a.slice(dim(g[0], a.dim()), g[1], g[2], g[3]);
      case EXPAND -> a.expand(g);
      case UNSQUEEZE -> a.unsqueeze(dim(g[0], a.dim() + 1));
      case MATMUL -> a.matmul(v.get(s.b()));
      case MATMUL_T -> a.matmul(a.transpose(a.dim() - 2, a.dim() - 1));
      case SOFTMAX -> a.softmax(dim(g[0], a.dim()), false);
      case LOG_SOFTMAX -> a.softmax(dim(g[0], a.dim()), true);
    };
  }

  private static int dim(long d, int rank) {
    return (int) (d < 0 ? d + rank : d);
  }

  // ---- Kiln

  Tensor[] kilnLeaves() {
    Tensor[] out = new Tensor[leaves.size()];
    for (int i = 0; i < out.length; i++) {
      Leaf l = leaves.get(i);
      Tensor t = l.shape().length == 0 ? Tensor.scalar(l.values()[0], DType.FLOAT64) : Tensor.of(l.values(), l.shape());
      out[i] = t.to(l.float64() ? DType.FLOAT64 : DType.FLOAT32).requiresGrad(true);
    }
    return out;
  }

  /** Every value of the program in Kiln; an exception stops it (the caller compares it with the reference). */
  List<Tensor> runKiln(Tensor[] leafTensors, List<Tensor> values) {
    for (int i = 0; i < leaves.size(); i++) values.add(view(leafTensors[i], leaves.get(i).layout()));
    for (Step s : steps) values.add(kiln(s, values));
    return values;
  }

  static Tensor view(Tensor x, Layout layout) {
    return switch (layout) {
      case AS_IS -> x;
      case TRANSPOSED -> x.transpose(-2, -1);
      case STRIDED -> x.slice(-1, 0, x.size(-1), 2);
      case EXPANDED -> x.expand(expandedShape(x.shape()));
    };
  }

  static Tensor kiln(Step s, List<Tensor> v) {
    Tensor a = v.get(s.a());
    long[] g = s.args();
    return switch (s.kind()) {
      case NEG -> a.neg();
      case EXP -> a.exp();
      case TANH -> a.tanh();
      case SIGMOID -> a.sigmoid();
      case RELU -> a.relu();
      case ABS -> a.abs();
      case SIN -> a.sin();
      case SQUARE -> a.square();
      case CLAMP -> a.clamp(-1.0, 1.0);
      case DIV -> a.div(v.get(s.b()));
      case MAXIMUM -> a.maximum(v.get(s.b()));
      case LOGSUMEXP -> a.logsumexp(new int[] {(int) g[0]}, g[1] != 0);
      case CUMSUM -> a.cumsum((int) g[0]);
      case FLIP -> a.flip((int) g[0]);
      case FLATTEN -> a.flatten();
      case CAT -> Tensor.cat(List.of(a, v.get(s.b())), (int) g[0]);
      case ADD -> a.add(v.get(s.b()));
      case SUB -> a.sub(v.get(s.b()));
      case MUL -> a.mul(v.get(s.b()));
      case SUM -> a.sum(new int[] {(int) g[0]}, g[1] != 0);
      case MEAN -> a.mean(new int[] {(int) g[0]}, g[1] != 0);
      case AMAX -> a.amax(new int[] {(int) g[0]}, g[1] != 0);
      case TRANSPOSE -> a.transpose((int) g[0], (int) g[1]);
      case PERMUTE -> a.permute(Arrays.stream(g).mapToInt(d -> (int) d).toArray());
      case SLICE -> a.slice((int) g[0], g[1], g[2], g[3]);
      case EXPAND -> a.expand(g);
      case UNSQUEEZE -> a.unsqueeze((int) g[0]);
      case MATMUL -> a.matmul(v.get(s.b()));
      case MATMUL_T -> a.matmul(a.transpose(-1, -2));
      case SOFTMAX -> a.softmax((int) g[0]);
      case LOG_SOFTMAX -> a.logSoftmax((int) g[0]);
    };
  }

  /** The op a step calls, for checking that an error names it. */
  static String opName(Kind kind) {
    return switch (kind) {
      case MATMUL, MATMUL_T -> "matmul";
      case LOG_SOFTMAX -> "log_softmax";
      default -> kind.name().toLowerCase();
    };
  }

  // ---- as Java

  /** The program as Java statements: leaves l0.., values v0... */
  String toJava() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < leaves.size(); i++) {
      Leaf l = leaves.get(i);
      String values = Arrays.stream(l.values()).mapToObj(Double::toString).collect(Collectors.joining(", "));
      sb.append("Tensor l").append(i).append(" = ")
          .append(l.shape().length == 0 ? "Tensor.scalar(" + values + ", DType.FLOAT64)"
              : "Tensor.of(new double[] {" + values + "}, " + longs(l.shape()) + ")")
          .append(l.float64() ? "" : ".to(DType.FLOAT32)").append(".requiresGrad(true);\n");
      String view = switch (l.layout()) {
        case AS_IS -> "";
        case TRANSPOSED -> ".transpose(-2, -1)";
        case STRIDED -> ".slice(-1, 0, " + l.shape()[l.shape().length - 1] + ", 2)";
        case EXPANDED -> ".expand(" + longs(expandedShape(l.shape())) + ")";
      };
      sb.append("Tensor v").append(i).append(" = l").append(i).append(view).append(";\n");
    }
    for (int i = 0; i < steps.size(); i++)
      sb.append("Tensor v").append(leaves.size() + i).append(" = ").append(java(steps.get(i))).append(";\n");
    return sb.toString();
  }

  private static String longs(long[] values) {
    return Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(", "));
  }

  static String java(Step s) {
    String a = "v" + s.a(), b = "v" + s.b();
    long[] g = s.args();
    return switch (s.kind()) {
      case ADD, SUB, MUL, DIV, MAXIMUM, MATMUL -> a + "." + camel(s.kind()) + "(" + b + ")";
      case CLAMP -> a + ".clamp(-1.0, 1.0)";
      case CAT -> "Tensor.cat(List.of(" + a + ", " + b + "), " + g[0] + ")";
      case CUMSUM, FLIP -> a + "." + camel(s.kind()) + "(" + g[0] + ")";
      case SUM, MEAN, AMAX, LOGSUMEXP -> a + "." + camel(s.kind()) + "(new int[] {" + g[0] + "}, " + (g[1] != 0) + ")";
      case TRANSPOSE, PERMUTE, SLICE, EXPAND, UNSQUEEZE, SOFTMAX, LOG_SOFTMAX -> a + "." + camel(s.kind()) + "("
          + longs(g) + ")";
      case MATMUL_T -> a + ".matmul(" + a + ".transpose(-1, -2))";
      default -> a + "." + camel(s.kind()) + "()";
    };
  }

  private static String camel(Kind kind) {
    return kind == Kind.LOG_SOFTMAX ? "logSoftmax" : kind.name().toLowerCase();
  }

  // ---- generation

  /** A random program: 1 to 3 leaves of shapes that broadcast together, then 3 to 10 steps. */
  static FuzzProgram random(Random rnd) {
    int rank = rnd.nextInt(4);
    long[] base = new long[rank];
    for (int d = 0; d < rank; d++) base[d] = rnd.nextInt(20) == 0 ? 0 : 1 + rnd.nextInt(4);
    boolean float64 = rnd.nextInt(5) < 3;
    List<Leaf> leaves = new ArrayList<>();
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      int keep = rank - rnd.nextInt(Math.min(rank, 2) + 1);
      long[] shape = Arrays.copyOfRange(base, rank - keep, rank);
      for (int d = 0; d < shape.length; d++) if (rnd.nextInt(4) == 0) shape[d] = 1;
      Layout layout = Layout.values()[rnd.nextInt(4)];
      if (layout == Layout.TRANSPOSED && shape.length < 2 || layout == Layout.STRIDED && shape.length < 1
          || layout == Layout.EXPANDED && Arrays.stream(shape).noneMatch(s -> s == 1)) layout = Layout.AS_IS;
      long[] stored = shape.clone();
      if (layout == Layout.TRANSPOSED) {
        stored[shape.length - 1] = shape[shape.length - 2];
        stored[shape.length - 2] = shape[shape.length - 1];
      }
      // A strided view takes every other element: the leaf holds twice as many along its last dim.
      if (layout == Layout.STRIDED) stored[shape.length - 1] = 2 * shape[shape.length - 1];
      boolean f64 = rnd.nextInt(8) == 0 ? !float64 : float64;
      double[] values = new double[(int) Arrays.stream(stored).reduce(1, (x, y) -> x * y)];
      for (int k = 0; k < values.length; k++) values[k] = (float) (4 * rnd.nextDouble() - 2);
      leaves.add(new Leaf(values, stored, f64, layout));
    }
    List<Step> steps = new ArrayList<>();
    FuzzProgram p = new FuzzProgram(leaves, steps);
    List<RefTensor> values = new ArrayList<>(p.runReference());
    int count = 3 + rnd.nextInt(8);
    for (int tries = 0; steps.size() < count && tries < 100; tries++) {
      Step s = randomStep(rnd, values);
      if (s == null) continue;
      steps.add(s);
      try {
        values.add(reference(s, values));
      } catch (RefTensor.RefError e) {
        break; // the program ends at a step that must raise
      }
    }
    return p;
  }

  private static Step randomStep(Random rnd, List<RefTensor> values) {
    int a = values.size() - 1 - (rnd.nextInt(3) == 0 ? rnd.nextInt(values.size()) : 0);
    RefTensor x = values.get(a);
    int rank = x.dim();
    Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
    return switch (kind) {
      case ADD, SUB, MUL, DIV, MAXIMUM -> {
        List<Integer> partners = new ArrayList<>();
        for (int b = 0; b < values.size(); b++)
          if (RefTensor.broadcastShape(x.shape, values.get(b).shape) != null) partners.add(b);
        yield new Step(kind, a, partners.get(rnd.nextInt(partners.size())));
      }
      case SUM, MEAN, AMAX, LOGSUMEXP, CUMSUM, FLIP, SOFTMAX, LOG_SOFTMAX -> {
        if (rank == 0) yield null;
        long d = signed(rnd, rnd.nextInt(rank), rank);
        boolean keepdim = kind == Kind.SUM || kind == Kind.MEAN || kind == Kind.AMAX || kind == Kind.LOGSUMEXP;
        yield keepdim ? new Step(kind, a, 0, d, rnd.nextInt(2)) : new Step(kind, a, 0, d);
      }
      case TRANSPOSE -> rank < 2 ? null
          : new Step(kind, a, 0, signed(rnd, rnd.nextInt(rank), rank), signed(rnd, rnd.nextInt(rank), rank));
      case PERMUTE -> {
        List<Long> perm = new ArrayList<>();
        for (long d = 0; d < rank; d++) perm.add(d);
        java.util.Collections.shuffle(perm, rnd);
        yield new Step(kind, a, 0, perm.stream().mapToLong(Long::longValue).toArray());
      }
      case SLICE -> {
        if (rank == 0) yield null;
        int d = rnd.nextInt(rank);
        long size = x.shape[d], start = rnd.nextInt((int) size + 1);
        long end = start + rnd.nextInt((int) (size - start) + 1);
        yield new Step(kind, a, 0, signed(rnd, d, rank), start, end, 1 + rnd.nextInt(3));
      }
      case EXPAND -> {
        long[] to = new long[rank + rnd.nextInt(2)];
        for (int d = 0; d < to.length; d++) {
          int mine = d - to.length + rank;
          to[d] = mine < 0 || x.shape[mine] == 1 ? 1 + rnd.nextInt(3) : x.shape[mine];
        }
        yield new Step(kind, a, 0, to);
      }
      case UNSQUEEZE -> new Step(kind, a, 0, signed(rnd, rnd.nextInt(rank + 1), rank + 1));
      case MATMUL -> {
        if (rank < 2) yield null;
        for (int b = 0; b < values.size(); b++) {
          RefTensor y = values.get(b);
          long[] batch = Arrays.copyOf(x.shape, rank - 2);
          long[] otherBatch = Arrays.copyOf(y.shape, Math.max(0, y.dim() - 2));
          if (y.dim() >= 2 && y.shape[y.dim() - 2] == x.shape[rank - 1]
              && RefTensor.broadcastShape(batch, otherBatch) != null)
            yield new Step(kind, a, b);
        }
        yield null;
      }
      case MATMUL_T -> rank < 2 ? null : new Step(kind, a, 0);
      case CAT -> {
        if (rank == 0) yield null;
        int d = rnd.nextInt(rank);
        for (int b = 0; b < values.size(); b++) {
          long[] other = values.get(b).shape.clone();
          if (other.length != rank) continue;
          other[d] = x.shape[d];
          if (Arrays.equals(other, x.shape)) yield new Step(kind, a, b, signed(rnd, d, rank));
        }
        yield null;
      }
      default -> new Step(kind, a, 0);
    };
  }

  /** d, or its negative form, at random. */
  private static long signed(Random rnd, int d, int rank) {
    return rnd.nextBoolean() ? d : d - rank;
  }
}
