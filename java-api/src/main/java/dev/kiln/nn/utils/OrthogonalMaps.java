package dev.kiln.nn.utils;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Function;
import dev.kiln.autograd.FunctionContext;
import java.util.Arrays;

/**
 * The matrix functions that orthogonal parametrizations need, for square matrices or batches of them ([..., n, n]):
 * the matrix exponential and the linear solve of the Cayley map, and Householder products, differentiable; and the
 * QR factorization (LAPACK's geqrf) that their right inverse starts from. Kiln's core has no linear algebra beyond
 * products, so the exponential and the products are written with matmul (autograd differentiates them), the solve
 * is a custom Function, and geqrf is plain Java on doubles (it runs without gradients).
 */
final class OrthogonalMaps {
  private OrthogonalMaps() {}

  /**
   * exp(a) for square matrices: scaled down by 2^s until its 1-norm is at most 1/2, a Taylor polynomial of degree 18
   * (a truncation error far below float64's rounding), then squared s times.
   */
  static Tensor matrixExp(Tensor a) {
    long n = a.size(-1);
    double norm = a.numel() == 0 ? 0 : a.detach().abs().sum(new int[] {-2}, false).max().item(); // the largest 1-norm
    int s = norm > 0.5 ? (int) Math.ceil(Math.log(norm / 0.5) / Math.log(2)) : 0;
    Tensor x = s > 0 ? a.div(Math.pow(2, s)) : a;
    Tensor eye = Tensor.eye(a.dtype(), n, n);
    Tensor p = eye.add(x.div(18)); // Horner: I + x (I + x/2 (I + x/3 (... (I + x/18))))
    for (int k = 17; k >= 1; k--) p = eye.add(x.matmul(p).div(k));
    for (int i = 0; i < s; i++) p = p.matmul(p);
    return p;
  }

  /** The solution x of a x = b for square a [..., n, n] and b [..., n, k] of the same batch, differentiable in both. */
  static Tensor solve(Tensor a, Tensor b) {
    return new Solve().apply(a, b);
  }

  /**
   * PyTorch's linalg.solve as a Function: forward by LU with partial pivoting on doubles; backward
   * {@code gb = solve(a^T, g)}, {@code ga = -gb x^T} (themselves differentiable, for higher orders).
   */
  private static final class Solve extends Function {
    @Override
    public Tensor forward(FunctionContext ctx, Tensor... in) {
      Tensor a = in[0], b = in[1];
      long[] as = a.shape(), bs = b.shape();
      int n = Math.toIntExact(as[as.length - 1]), k = Math.toIntExact(bs[bs.length - 1]);
      double[] av = a.contiguous().toDoubleArray(), bv = b.contiguous().toDoubleArray();
      int batches = n == 0 ? 0 : av.length / (n * n);
      double[] x = new double[bv.length];
      for (int m = 0; m < batches; m++) solveOne(av, m * n * n, bv, m * n * k, x, n, k);
      Tensor out = Tensor.of(x, bs).to(b.dtype());
      ctx.saveForBackward(a, out);
      return out;
    }

    @Override
    public Tensor[] backward(FunctionContext ctx, Tensor... grad) {
      Tensor[] saved = ctx.savedTensors();
      Tensor a = saved[0], x = saved[1];
      Tensor gb = solve(a.transpose(-2, -1), grad[0]);
      Tensor ga = ctx.needsInputGrad(0) ? gb.matmul(x.transpose(-2, -1)).neg() : null;
      return new Tensor[] {ga, ctx.needsInputGrad(1) ? gb : null};
    }

    @Override
    protected String name() {
      return "LinalgSolveExBackward0";
    }
  }

  /** Solves one system (row-major a at ao, b at bo) into x at bo: Gaussian elimination with partial pivoting. */
  private static void solveOne(double[] av, int ao, double[] bv, int bo, double[] x, int n, int k) {
    double[] a = Arrays.copyOfRange(av, ao, ao + n * n), b = Arrays.copyOfRange(bv, bo, bo + n * k);
    for (int c = 0; c < n; c++) {
      int pivot = c;
      for (int r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[pivot * n + c])) pivot = r;
      if (a[pivot * n + c] == 0)
        throw new IllegalArgumentException("linalg.solve: The solver failed because the input matrix is singular.");
      swapRows(a, c, pivot, n);
      swapRows(b, c, pivot, k);
      for (int r = c + 1; r < n; r++) {
        double f = a[r * n + c] / a[c * n + c];
        if (f == 0) continue;
        for (int j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
        for (int j = 0; j < k; j++) b[r * k + j] -= f * b[c * k + j];
      }
    }
    for (int r = n - 1; r >= 0; r--)
      for (int j = 0; j < k; j++) {
        double sum = b[r * k + j];
        for (int c = r + 1; c < n; c++) sum -= a[r * n + c] * x[bo + c * k + j];
        x[bo + r * k + j] = sum / a[r * n + r];
      }
  }

  private static void swapRows(double[] m, int r1, int r2, int cols) {
    if (r1 == r2) return;
    for (int j = 0; j < cols; j++) {
      double t = m[r1 * cols + j];
      m[r1 * cols + j] = m[r2 * cols + j];
      m[r2 * cols + j] = t;
    }
  }

  /**
   * PyTorch's linalg.householder_product: the first k columns of H_1 ... H_k for a [..., n, k] (n >= k) and tau
   * [..., k], where H_i = I - tau_i v_i v_i^T and v_i is column i of a below the diagonal with a 1 on it (the
   * diagonal and above are not read). Differentiable in a and tau.
   */
  static Tensor householderProduct(Tensor a, Tensor tau) {
    long[] shape = a.shape();
    int nd = shape.length;
    long n = shape[nd - 2], k = shape[nd - 1];
    Tensor v = a.tril(-1).add(Tensor.eye(a.dtype(), n, k)); // the reflectors, unit diagonal
    long[] square = shape.clone();
    square[nd - 1] = n;
    Tensor q = Tensor.eye(a.dtype(), n, n).expand(square);
    for (long i = 0; i < k; i++) {
      Tensor vi = v.narrow(nd - 1, i, 1); // [..., n, 1]
      Tensor ti = tau.narrow(nd - 2, i, 1).unsqueeze(-1); // [..., 1, 1]
      q = q.sub(q.matmul(vi).matmul(vi.transpose(-2, -1)).mul(ti));
    }
    return q.narrow(nd - 1, 0, k);
  }

  /**
   * LAPACK's geqrf for a [..., m, n], m >= n: {reflectors below the diagonal with R on and above it, tau [..., n]},
   * with LAPACK's conventions (tau 0 where a column needs no reflection; R's diagonal of either sign). Not
   * differentiable; computed in float64 and returned in a's dtype.
   */
  static Tensor[] geqrf(Tensor a) {
    long[] shape = a.shape();
    int nd = shape.length, m = Math.toIntExact(shape[nd - 2]), n = Math.toIntExact(shape[nd - 1]);
    double[] v = a.detach().contiguous().toDoubleArray();
    int batches = m * n == 0 ? 0 : v.length / (m * n);
    double[] tau = new double[batches * n];
    for (int b = 0; b < batches; b++) geqr2(v, b * m * n, m, n, tau, b * n);
    long[] tauShape = Arrays.copyOf(shape, nd - 1);
    tauShape[nd - 2] = n;
    return new Tensor[] {Tensor.of(v, shape).to(a.dtype()), Tensor.of(tau, tauShape).to(a.dtype())};
  }

  /** LAPACK's dgeqr2 on one row-major m x n matrix at offset o: dlarfg per column, then that reflection of the rest. */
  private static void geqr2(double[] a, int o, int m, int n, double[] tau, int to) {
    for (int j = 0; j < Math.min(m, n); j++) {
      double alpha = a[o + j * n + j], xnorm = 0;
      for (int i = j + 1; i < m; i++) xnorm = Math.hypot(xnorm, a[o + i * n + j]);
      if (xnorm == 0) {
        tau[to + j] = 0; // H = I
        continue;
      }
      double beta = -Math.copySign(Math.hypot(alpha, xnorm), alpha);
      tau[to + j] = (beta - alpha) / beta;
      double scale = 1 / (alpha - beta);
      for (int i = j + 1; i < m; i++) a[o + i * n + j] *= scale;
      a[o + j * n + j] = beta;
      // The rest of the columns: A -= tau v (v^T A), v = [1, a[j+1.., j]].
      for (int c = j + 1; c < n; c++) {
        double w = a[o + j * n + c];
        for (int i = j + 1; i < m; i++) w += a[o + i * n + j] * a[o + i * n + c];
        w *= tau[to + j];
        a[o + j * n + c] -= w;
        for (int i = j + 1; i < m; i++) a[o + i * n + c] -= w * a[o + i * n + j];
      }
    }
  }

  /**
   * The Q of a = QR for tall a [..., n, k] with R's diagonal made non-negative (PyTorch's _make_orthogonal): geqrf,
   * the product of its reflectors, each column times the sign of R's diagonal.
   */
  static Tensor makeOrthogonal(Tensor a) {
    Tensor[] qr = geqrf(a);
    Tensor q = householderProduct(qr[0], qr[1]);
    return q.mul(qr[0].diagonal(0, -2, -1).sign().unsqueeze(-2));
  }

  /** Whether q's columns are orthonormal to 10 n eps of its dtype (PyTorch's _is_orthogonal, allclose's rtol 1e-5). */
  static boolean isOrthogonal(Tensor q) {
    long n = q.size(-2), k = q.size(-1);
    double eps = 10.0 * n * (q.dtype() == DType.FLOAT64 ? Math.ulp(1.0) : Math.ulp(1.0f));
    double[] gram = q.transpose(-2, -1).matmul(q).contiguous().toDoubleArray();
    for (int i = 0; i < gram.length; i++) {
      long r = (i / k) % k, c = i % k;
      double id = r == c ? 1 : 0;
      if (!(Math.abs(gram[i] - id) <= eps + 1e-5 * Math.abs(id))) return false;
    }
    return true;
  }
}
