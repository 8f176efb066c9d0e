package dev.kiln;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints tensors exactly as PyTorch does ({@code torch/_tensor_str.py} with default print options):
 * precision 4, summarised above 1000 elements with 3 edge items, lines of at most 80 characters, integer
 * and scientific modes chosen from the values shown.
 */
final class TensorFormatter {
  private static final int PRECISION = 4;
  private static final int THRESHOLD = 1000;
  private static final int EDGE_ITEMS = 3;
  private static final int LINE_WIDTH = 80;
  private static final String PREFIX = "tensor(";

  private final long[] shape;
  private final long[] strides; // row-major, of the flat data
  private final DType dtype;
  private final double[] reals;
  private final long[] ints;
  private final boolean[] bools;
  private final boolean summarize;

  // What the elements shown look like.
  private boolean intMode = true;
  private boolean sciMode = false;
  private int maxWidth = 1;

  private TensorFormatter(Tensor t) {
    shape = t.shape();
    dtype = t.dtype();
    strides = new long[shape.length];
    long s = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      strides[d] = s;
      s *= shape[d];
    }
    reals = dtype.isFloatingPoint() ? t.toDoubleArray() : null;
    ints = dtype.isIntegral() ? t.toLongArray() : null;
    bools = dtype == DType.BOOL ? t.toBooleanArray() : null;
    summarize = t.numel() > THRESHOLD;
  }

  static String format(Tensor t, List<String> extraSuffixes) {
    List<String> suffixes = new ArrayList<>();
    // As PyTorch: the device first, then the size of an empty tensor and the dtype.
    if (t.device().type() != Device.Type.CPU) suffixes.add("device='" + t.device() + "'");
    String body;
    if (t.numel() == 0) {
      if (t.dim() != 1) suffixes.add("size=" + pythonTuple(t.shape()));
      if (t.dtype() != DType.FLOAT32) suffixes.add("dtype=torch." + t.dtype());
      body = "[]";
    } else {
      // PyTorch names every dtype but the default ones: float32, int64 and bool.
      if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.INT64 && t.dtype() != DType.BOOL)
        suffixes.add("dtype=torch." + t.dtype());
      TensorFormatter f = new TensorFormatter(t);
      f.measure();
      body = f.tensorStr(0, 0, PREFIX.length());
    }
    suffixes.addAll(extraSuffixes);
    return addSuffixes(PREFIX + body, suffixes);
  }

  private static String addSuffixes(String tensorStr, List<String> suffixes) {
    StringBuilder sb = new StringBuilder(tensorStr);
    int lastLineLen = tensorStr.length() - tensorStr.lastIndexOf('\n') + 1;
    for (String suffix : suffixes) {
      if (lastLineLen + suffix.length() + 2 > LINE_WIDTH) {
        sb.append(",\n").append(" ".repeat(PREFIX.length())).append(suffix);
        lastLineLen = PREFIX.length() + suffix.length();
      } else {
        sb.append(", ").append(suffix);
        lastLineLen += suffix.length() + 2;
      }
    }
    return sb.append(')').toString();
  }

  private static String pythonTuple(long[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /** The flat indices of the elements shown (PyTorch's get_summarized_data). */
  private void shown(int dim, long offset, List<Long> out) {
    if (dim == shape.length) {
      out.add(offset);
      return;
    }
    for (long i : indicesShown(shape[dim])) shown(dim + 1, offset + i * strides[dim], out);
  }

  private long[] indicesShown(long size) {
    if (summarize && size > 2 * EDGE_ITEMS) {
      long[] idx = new long[2 * EDGE_ITEMS];
      for (int i = 0; i < EDGE_ITEMS; i++) {
        idx[i] = i;
        idx[EDGE_ITEMS + i] = size - EDGE_ITEMS + i;
      }
      return idx;
    }
    long[] idx = new long[(int) size];
    for (int i = 0; i < size; i++) idx[i] = i;
    return idx;
  }

  private void measure() {
    List<Long> idx = new ArrayList<>();
    shown(0, 0, idx);
    if (!dtype.isFloatingPoint()) {
      for (long i : idx) maxWidth = Math.max(maxWidth, plain(i).length());
      return;
    }
    List<Double> finite = new ArrayList<>();
    for (long i : idx) {
      double v = reals[(int) i];
      if (Double.isFinite(v) && v != 0) finite.add(v);
    }
    if (finite.isEmpty()) return;
    double min = Double.POSITIVE_INFINITY, max = 0;
    for (double v : finite) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
      if (v != Math.ceil(v)) intMode = false;
    }
    if (intMode) {
      if (max / min > 1000.0 || max > 1.0e8) {
        sciMode = true;
        for (double v : finite) maxWidth = Math.max(maxWidth, sci(v).length());
      } else {
        for (double v : finite) maxWidth = Math.max(maxWidth, fixed(v, 0).length() + 1);
      }
    } else if (max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4) {
      sciMode = true;
      for (double v : finite) maxWidth = Math.max(maxWidth, sci(v).length());
    } else {
      for (double v : finite) maxWidth = Math.max(maxWidth, fixed(v, PRECISION).length());
    }
  }

  private String element(long i) {
    String s;
    if (dtype.isFloatingPoint()) {
      double v = reals[(int) i];
      if (sciMode) s = sci(v);
      else if (intMode) s = fixed(v, 0) + (Double.isFinite(v) ? "." : "");
      else s = fixed(v, PRECISION);
    } else {
      s = plain(i);
    }
    return s.length() >= maxWidth ? s : " ".repeat(maxWidth - s.length()) + s;
  }

  private String plain(long i) {
    return ints != null ? Long.toString(ints[(int) i]) : bools[(int) i] ? "True" : "False";
  }

  private String tensorStr(int dim, long offset, int indent) {
    int rest = shape.length - dim;
    if (rest == 0) return element(offset);
    if (rest == 1) return vectorStr(dim, offset, indent);
    List<String> slices = new ArrayList<>();
    long size = shape[dim];
    boolean cut = summarize && size > 2 * EDGE_ITEMS;
    for (long i : indicesShown(size)) {
      if (cut && i == size - EDGE_ITEMS) slices.add("...");
      slices.add(tensorStr(dim + 1, offset + i * strides[dim], indent + 1));
    }
    String sep = "," + "\n".repeat(rest - 1) + " ".repeat(indent + 1);
    return "[" + String.join(sep, slices) + "]";
  }

  private String vectorStr(int dim, long offset, int indent) {
    int elementLength = maxWidth + 2;
    int perLine = Math.max(1, (LINE_WIDTH - indent) / elementLength);
    List<String> data = new ArrayList<>();
    long size = shape[dim];
    boolean cut = summarize && size > 2 * EDGE_ITEMS;
    for (long i : indicesShown(size)) {
      if (cut && i == size - EDGE_ITEMS) data.add(" ...");
      data.add(element(offset + i * strides[dim]));
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < data.size(); i += perLine) lines.add(String.join(", ", data.subList(i, Math.min(data.size(), i + perLine))));
    return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
  }

  // Python's '{:.Nf}': correctly rounded (half to even on the exact binary value).
  static String fixed(double v, int decimals) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    String s = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    boolean negative = v < 0 || (v == 0 && 1 / v < 0);
    return negative && !s.startsWith("-") ? "-" + s : s;
  }

  // Python's '{:.4e}': d.dddde+XX with at least two exponent digits.
  static String sci(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return (1 / v < 0 ? "-" : "") + "0." + "0".repeat(PRECISION) + "e+00";
    BigDecimal r = new BigDecimal(v).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
    String digits = r.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - r.scale();
    digits = (digits + "0".repeat(PRECISION + 1)).substring(0, PRECISION + 1);
    String exp = String.format("%02d", Math.abs(exponent));
    return (v < 0 ? "-" : "") + digits.charAt(0) + "." + digits.substring(1) + "e" + (exponent < 0 ? "-" : "+") + exp;
  }
}
