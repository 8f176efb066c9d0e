package dev.kiln.autograd;

import dev.kiln.DType;
import dev.kiln.KilnException;
import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The bad-input variants OpBadInputTest derives from an op's sample inputs, and how it compares what the op
 * did with them: a call's outcome is its outputs or the exception it threw.
 */
final class BadInputs {
  private BadInputs() {}

  /** What one call did: its outputs (as float64 copies, with shapes and dtypes), or what it threw. */
  record Outcome(List<long[]> shapes, List<DType> dtypes, List<double[]> values, RuntimeException error) {
    static Outcome of(GradCheck.TensorFunction fn, Tensor[] inputs) {
      try {
        Tensor[] out = fn.apply(inputs);
        return new Outcome(Arrays.stream(out).map(Tensor::shape).toList(),
            Arrays.stream(out).map(Tensor::dtype).toList(), Arrays.stream(out).map(BadInputs::values).toList(), null);
      } catch (RuntimeException e) {
        return new Outcome(null, null, null, e);
      }
    }

    /** Equal outputs (NaN equal to NaN, values within rtol of each other) or exceptions of the same class. */
    String differenceFrom(Outcome other, double rtol) {
      return differenceFrom(other, rtol, true);
    }

    /** As above; sameDtype false compares values alone (an input cast to float32 gives float32 outputs). */
    String differenceFrom(Outcome other, double rtol, boolean sameDtype) {
      if (error != null || other.error != null) {
        if (error != null && other.error != null && error.getClass() == other.error.getClass()) return null;
        return "outcomes differ: " + describe() + " vs " + other.describe();
      }
      if (shapes.size() != other.shapes.size()) return "output counts differ";
      for (int i = 0; i < shapes.size(); i++) {
        if (!Arrays.equals(shapes.get(i), other.shapes.get(i)))
          return "output " + i + ": shape " + Arrays.toString(shapes.get(i)) + " vs "
              + Arrays.toString(other.shapes.get(i));
        if (sameDtype && dtypes.get(i) != other.dtypes.get(i))
          return "output " + i + ": dtype " + dtypes.get(i) + " vs " + other.dtypes.get(i);
        double[] a = values.get(i), b = other.values.get(i);
        for (int k = 0; k < a.length; k++) {
          boolean same = Double.compare(a[k], b[k]) == 0 || Math.abs(a[k] - b[k]) <= rtol * (1 + Math.abs(b[k]));
          if (!same) return "output " + i + " element " + k + ": " + a[k] + " vs " + b[k];
        }
      }
      return null;
    }

    String describe() {
      return error == null ? "outputs " + shapes.stream().map(Arrays::toString).toList() : error.toString();
    }
  }

  static double[] values(Tensor t) {
    Tensor d = t.detach();
    return (d.dtype() == DType.FLOAT64 ? d : d.to(DType.FLOAT64)).contiguous().toDoubleArray();
  }

  /**
   * Null when the error is what bad input must raise: a Kiln exception (or Java's IllegalArgumentException for
   * an argument checked in Java) whose message names the op (by its table name, its Java name, or the name users
   * know it by: batch_norm for native_batch_norm, SGD for sgd_step), or another op of the table that the call
   * reached first (the select a sample takes before its op, the norm a composite runs); else what is wrong.
   */
  static String problemWithError(RuntimeException e, String op, Set<String> tableOps) {
    boolean typed = e instanceof KilnException || e.getClass() == IllegalArgumentException.class;
    if (!typed) return "untyped exception " + e;
    String message = String.valueOf(e.getMessage());
    if (message.contains(op) || message.contains(camelCase(op))
        || message.toLowerCase().contains(publicName(op).toLowerCase())) return null;
    int colon = message.indexOf(':');
    String named = colon < 0 ? "" : message.substring(0, colon).replace('.', '_');
    if (tableOps.contains(named) || tableOps.stream().anyMatch(o -> publicName(o).equals(named))) return null;
    return "message names no op: " + message;
  }

  /** The name users know an op by: min for min_dim, batch_norm for native_batch_norm, unfold for im2col, ... */
  static String publicName(String op) {
    if (op.equals("im2col")) return "unfold"; // torch.nn.functional.unfold
    if (op.equals("col2im")) return "fold";
    return op.replaceFirst("^_+", "").replaceFirst("^native_", "").replaceFirst("_dim$", "").replaceFirst("_step$", "");
  }

  static String camelCase(String op) {
    StringBuilder sb = new StringBuilder();
    boolean up = false;
    for (char c : op.toCharArray()) {
      if (c == '_') up = true;
      else {
        sb.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return sb.toString();
  }

  /** An input's state: its shape, strides, dtype, version and values, to check that a failed call left it alone. */
  record Snapshot(long[] shape, long[] stride, DType dtype, int version, double[] values) {
    static Snapshot of(Tensor t) {
      return new Snapshot(t.shape(), t.stride(), t.dtype(), t.version(), BadInputs.values(t));
    }

    boolean same(Snapshot o) {
      return Arrays.equals(shape, o.shape) && Arrays.equals(stride, o.stride) && dtype == o.dtype
          && version == o.version && Arrays.equals(values, o.values);
    }
  }

  /** A tensor with t's values (and requires_grad) through a layout of fresh memory. */
  static Tensor leaf(Tensor values, Tensor like) {
    return values.dtype().isFloatingPoint() && like.requiresGrad() ? values.requiresGrad(true) : values;
  }

  /** Equal values in a non-contiguous layout: transposed memory for a matrix, every other element otherwise. */
  static Tensor nonContiguous(Tensor t) {
    Tensor d = t.detach();
    if (d.dim() == 0 || d.numel() < 2) return leaf(d.clone(), t);
    if (d.dim() >= 2 && d.size(-1) > 1 && d.size(-2) > 1)
      return leaf(d.transpose(-1, -2).contiguous().transpose(-1, -2), t);
    return leaf(Tensor.stack(List.of(d, d), -1).select(-1, 0), t);
  }

  /** The first dim of more than one element made a zero-stride copy of its first slice; null if t has none. */
  static Tensor expanded(Tensor t) {
    Tensor d = t.detach();
    for (int dim = 0; dim < d.dim(); dim++)
      if (d.size(dim) > 1) return leaf(d.narrow(dim, 0, 1).expand(d.shape()), t);
    return null;
  }

  /** Dim 0 narrowed to nothing, for the inputs of the largest rank (so that they still broadcast together). */
  static Tensor[] empty(Tensor[] inputs) {
    int rank = Arrays.stream(inputs).mapToInt(Tensor::dim).max().orElse(0);
    Tensor[] out = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor d = inputs[i].detach();
      out[i] = rank > 0 && d.dim() == rank ? leaf(d.narrow(0, 0, 0).clone(), inputs[i]) : inputs[i];
    }
    return out;
  }

  /** Floating inputs with NaN first, +inf last and -inf in the middle. */
  static Tensor[] nonFinite(Tensor[] inputs) {
    Tensor[] out = inputs.clone();
    for (int i = 0; i < inputs.length; i++) {
      Tensor d = inputs[i].detach();
      if (!d.dtype().isFloatingPoint() || d.numel() == 0) continue;
      double[] v = values(d);
      v[0] = Double.NaN;
      if (v.length > 1) v[v.length - 1] = Double.POSITIVE_INFINITY;
      if (v.length > 2) v[v.length / 2] = Double.NEGATIVE_INFINITY;
      out[i] = leaf(Tensor.of(v, d.shape()).to(d.dtype()), inputs[i]);
    }
    return out;
  }

  /** The first floating input cast to dtype (a mixed-dtype call when other inputs stay float64). */
  static Tensor[] firstFloatCast(Tensor[] inputs, DType dtype) {
    Tensor[] out = inputs.clone();
    for (int i = 0; i < inputs.length; i++) {
      if (!inputs[i].dtype().isFloatingPoint()) continue;
      out[i] = leaf(inputs[i].detach().to(dtype).clone(), inputs[i]);
      return out;
    }
    return null;
  }
}
