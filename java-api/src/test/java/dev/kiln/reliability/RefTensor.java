package dev.kiln.reliability;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The differential fuzzer's reference: a float64 tensor over a double[] with explicit strides and an offset,
 * and the few ops the fuzzer draws, each written the plainest way (one loop over logical indices). It shares
 * nothing with Kiln, so that the two can only agree by both being right.
 */
final class RefTensor {
  /** What the reference refuses (where PyTorch raises): Kiln must raise a typed exception there too. */
  static final class RefError extends RuntimeException {
    RefError(String message) {
      super(message);
    }
  }

  final double[] data;
  final long[] shape;
  final long[] strides;
  final long offset;
  /** The dtype Kiln computes this value in (float32 or float64); the reference itself computes in float64. */
  final boolean float32;

  RefTensor(double[] data, long[] shape, long[] strides, long offset, boolean float32) {
    this.data = data;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.float32 = float32;
  }

  /** The values rounded to float32 if this value is float32 (as Kiln holds it); float64 ones as they are. */
  RefTensor roundedToItsDtype() {
    return float32 ? map(x -> (double) (float) x) : this;
  }

  /** The same values, marked as held in float32 (or float64). */
  RefTensor asFloat32(boolean f32) {
    return new RefTensor(data, shape, strides, offset, f32);
  }

  /** Values in row-major order, laid out contiguously. */
  static RefTensor of(double[] values, long... shape) {
    return new RefTensor(values, shape.clone(), contiguousStrides(shape), 0, false);
  }

  static long[] contiguousStrides(long[] shape) {
    long[] s = new long[shape.length];
    long step = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      s[d] = step;
      step *= Math.max(1, shape[d]);
    }
    return s;
  }

  int dim() {
    return shape.length;
  }

  long numel() {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
  }

  /** The memory position of the element at row-major position i. */
  long position(long i) {
    long pos = offset;
    for (int d = shape.length - 1; d >= 0; d--) {
      pos += (i % shape[d]) * strides[d];
      i /= shape[d];
    }
    return pos;
  }

  double get(long i) {
    return data[(int) position(i)];
  }

  /** The values in row-major order. */
  double[] values() {
    double[] out = new double[(int) numel()];
    for (int i = 0; i < out.length; i++) out[i] = get(i);
    return out;
  }

  RefTensor map(DoubleUnaryOperator f) {
    double[] out = values();
    for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(out[i]);
    return of(out, shape).asFloat32(float32);
  }

  static long[] broadcastShape(long[] a, long[] b) {
    int n = Math.max(a.length, b.length);
    long[] out = new long[n];
    for (int d = 0; d < n; d++) {
      long x = d - n + a.length >= 0 ? a[d - n + a.length] : 1;
      long y = d - n + b.length >= 0 ? b[d - n + b.length] : 1;
      if (x != y && x != 1 && y != 1) return null;
      out[d] = x == 1 ? y : x;
    }
    return out;
  }

  /** This tensor seen at a larger shape: size-1 and missing leading dims get stride 0. */
  RefTensor expand(long[] to) {
    long[] s = new long[to.length];
    for (int d = 0; d < to.length; d++) {
      int mine = d - to.length + shape.length;
      if (mine < 0) s[d] = 0;
      else if (shape[mine] == to[d]) s[d] = strides[mine];
      else if (shape[mine] == 1) s[d] = 0;
      else throw new RefError("expand: size " + shape[mine] + " to " + to[d]);
    }
    return new RefTensor(data, to.clone(), s, offset, float32);
  }

  RefTensor zip(RefTensor other, DoubleBinaryOperator f) {
    long[] to = broadcastShape(shape, other.shape);
    if (to == null) throw new RefError("shapes do not broadcast");
    RefTensor a = expand(to), b = other.expand(to);
    double[] out = new double[(int) a.numel()];
    for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(a.get(i), b.get(i));
    return of(out, to).asFloat32(promotesToFloat32(other));
  }

  /** PyTorch's promotion: float32 with float64 gives float64, unless the float64 one is 0-dim and the other not. */
  private boolean promotesToFloat32(RefTensor other) {
    if (dim() == 0 && other.dim() > 0) return other.float32;
    if (other.dim() == 0 && dim() > 0) return float32;
    return float32 && other.float32;
  }

  /** Dims d0 and d1 swapped: a view. */
  RefTensor transpose(int d0, int d1) {
    int[] perm = new int[dim()];
    for (int d = 0; d < perm.length; d++) perm[d] = d;
    perm[d0] = d1;
    perm[d1] = d0;
    return permute(perm);
  }

  RefTensor permute(int[] perm) {
    long[] sh = new long[perm.length], st = new long[perm.length];
    for (int d = 0; d < perm.length; d++) {
      sh[d] = shape[perm[d]];
      st[d] = strides[perm[d]];
    }
    return new RefTensor(data, sh, st, offset, float32);
  }

  /** Elements start, start + step, ... before end along dim: a view. */
  RefTensor slice(int dim, long start, long end, long step) {
    long[] sh = shape.clone(), st = strides.clone();
    sh[dim] = Math.max(0, (end - start + step - 1) / step);
    st[dim] = strides[dim] * step;
    return new RefTensor(data, sh, st, offset + (sh[dim] == 0 ? 0 : start * strides[dim]), float32);
  }

  /** Reversed along dim: a view with a negative stride. */
  RefTensor flip(int dim) {
    long[] st = strides.clone();
    st[dim] = -strides[dim];
    return new RefTensor(data, shape, st, offset + Math.max(0, shape[dim] - 1) * strides[dim], float32);
  }

  /** Running sums along dim. */
  RefTensor cumsum(int dim) {
    double[] out = values();
    long inner = 1;
    for (int d = dim + 1; d < dim(); d++) inner *= shape[d];
    for (int i = 0; i < out.length; i++)
      if ((i / inner) % shape[dim] != 0) out[i] += out[(int) (i - inner)];
    return of(out, shape).asFloat32(float32);
  }

  /** This tensor and other joined along dim (equal shapes elsewhere). */
  RefTensor cat(RefTensor other, int dim) {
    long[] sh = shape.clone();
    sh[dim] += other.shape[dim];
    long inner = 1;
    for (int d = dim + 1; d < dim(); d++) inner *= shape[d];
    long mine = shape[dim] * inner, theirs = other.shape[dim] * inner;
    double[] a = values(), b = other.values(), out = new double[a.length + b.length];
    for (int i = 0; i < out.length; i++) {
      long outer = i / (mine + theirs), at = i % (mine + theirs);
      out[i] = at < mine ? a[(int) (outer * mine + at)] : b[(int) (outer * theirs + at - mine)];
    }
    return of(out, sh).asFloat32(float32 && other.float32);
  }

  /** log(sum(exp(x))) along dim, as PyTorch: shifted by the maximum (0 where it is infinite); empty gives -inf. */
  RefTensor logsumexp(int dim, boolean keepdim) {
    RefTensor max = reduceOrEmpty(dim, Reduction.AMAX).map(m -> Double.isInfinite(m) ? 0 : m);
    if (shape[dim] == 0) max = max.map(m -> 0);
    RefTensor shifted = zip(max.expand(shape), (x, m) -> Math.exp(x - m));
    RefTensor sums = shifted.reduceOrEmpty(dim, Reduction.SUM);
    RefTensor out = sums.zip(max, (s, m) -> Math.log(s) + m).asFloat32(float32);
    return keepdim ? out : out.reduce(dim, false, Reduction.SUM);
  }

  RefTensor unsqueeze(int dim) {
    long[] sh = new long[dim() + 1], st = new long[dim() + 1];
    for (int d = 0, k = 0; d < sh.length; d++) {
      if (d == dim) {
        sh[d] = 1;
        st[d] = 1;
      } else {
        sh[d] = shape[k];
        st[d] = strides[k++];
      }
    }
    return new RefTensor(data, sh, st, offset, float32);
  }

  enum Reduction { SUM, MEAN, AMAX }

  /** A reduction over one dim, as PyTorch: an empty sum is 0, an empty mean NaN, an empty amax an error. */
  RefTensor reduce(int dim, boolean keepdim, Reduction kind) {
    long n = shape[dim];
    if (kind == Reduction.AMAX && n == 0) throw new RefError("amax over an empty dim");
    long[] kept = shape.clone();
    kept[dim] = 1;
    RefTensor out = of(new double[(int) sizeWithout(dim)], kept);
    long[] outStrides = out.strides;
    double[] acc = out.data;
    if (kind == Reduction.AMAX) Arrays.fill(acc, Double.NEGATIVE_INFINITY);
    for (long i = 0; i < numel(); i++) {
      long rest = i, outPos = 0;
      for (int d = dim() - 1; d >= 0; d--) {
        long idx = rest % shape[d];
        rest /= shape[d];
        if (d != dim) outPos += idx * outStrides[d];
      }
      double v = get(i);
      int p = (int) outPos;
      acc[p] = kind == Reduction.AMAX ? (Double.isNaN(v) || Double.isNaN(acc[p]) ? Double.NaN : Math.max(acc[p], v))
          : acc[p] + v;
    }
    if (kind == Reduction.MEAN) for (int p = 0; p < acc.length; p++) acc[p] /= n;
    if (keepdim) return out.asFloat32(float32);
    long[] squeezed = new long[dim() - 1];
    for (int d = 0, k = 0; d < dim(); d++) if (d != dim) squeezed[k++] = shape[d];
    return of(acc, squeezed).asFloat32(float32);
  }

  private long sizeWithout(int dim) {
    long n = 1;
    for (int d = 0; d < dim(); d++) if (d != dim) n *= shape[d];
    return n;
  }

  /** softmax (or log_softmax) along dim, shifted by the maximum as any careful implementation is. */
  RefTensor softmax(int dim, boolean log) {
    RefTensor max = reduceOrEmpty(dim, Reduction.AMAX).expand(shape);
    RefTensor shifted = zip(max, (x, m) -> x - m);
    RefTensor sum = shifted.map(Math::exp).reduceOrEmpty(dim, Reduction.SUM).expand(shape);
    return shifted.zip(sum, (x, s) -> log ? x - Math.log(s) : Math.exp(x) / s).asFloat32(float32);
  }

  private RefTensor reduceOrEmpty(int dim, Reduction kind) {
    if (shape[dim] == 0) {
      long[] kept = shape.clone();
      kept[dim] = 1;
      return of(new double[(int) sizeWithout(dim)], kept);
    }
    return reduce(dim, true, kind);
  }

  /** Matrix product of the last two dims, batch dims broadcast. */
  RefTensor matmul(RefTensor other) {
    if (dim() < 2 || other.dim() < 2) throw new RefError("matmul: the fuzzer multiplies matrices only");
    if (float32 != other.float32) throw new RefError("matmul: expected both operands to have the same dtype");
    long m = shape[dim() - 2], k = shape[dim() - 1], n = other.shape[other.dim() - 1];
    if (other.shape[other.dim() - 2] != k) throw new RefError("matmul: inner sizes differ");
    long[] batch = broadcastShape(Arrays.copyOf(shape, dim() - 2), Arrays.copyOf(other.shape, other.dim() - 2));
    if (batch == null) throw new RefError("matmul: batch dims do not broadcast");
    long[] outShape = Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    long[] aShape = Arrays.copyOf(batch, batch.length + 2), bShape = Arrays.copyOf(batch, batch.length + 2);
    aShape[batch.length] = m;
    aShape[batch.length + 1] = k;
    bShape[batch.length] = k;
    bShape[batch.length + 1] = n;
    RefTensor a = expand(aShape), b = other.expand(bShape);
    double[] out = new double[(int) (numelOf(batch) * m * n)];
    for (long bi = 0; bi < numelOf(batch); bi++)
      for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
          double s = 0;
          for (long l = 0; l < k; l++) s += a.get((bi * m + i) * k + l) * b.get((bi * k + l) * n + j);
          out[(int) ((bi * m + i) * n + j)] = s;
        }
    return of(out, outShape).asFloat32(float32);
  }

  private static long numelOf(long[] shape) {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
  }
}
