package dev.kiln.nn.utils;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Module;
import java.util.Arrays;
import java.util.List;

/**
 * The parametrization that {@link Parametrizations#orthogonal} registers (PyTorch 1.13's
 * torch.nn.utils.parametrizations._Orthogonal, and printed as it): a matrix, or batch of matrices [..., n, k], with
 * orthonormal columns (rows when n < k), made from an unconstrained one by one of three maps. "matrix_exp" and
 * "cayley" take the lower triangle X of the (tall) original, A = X - X^T skew-symmetric, and exp(A) or
 * (I + A/2)(I - A/2)^-1 (its first k columns); "householder" takes the product of the Householder reflectors
 * below the diagonal. With the dynamic trivialization (the default) the result is multiplied by the buffer "base",
 * which the right inverse sets to the orthogonal matrix assigned (its Q factor where it is not orthogonal, completed
 * by random columns where it is not square) while the original restarts at -I.
 */
public final class OrthogonalParametrization extends Module implements RightInverse {
  /** The maps from an unconstrained matrix to an orthogonal one (PyTorch's _OrthMaps). */
  public enum OrthMap {
    MATRIX_EXP, CAYLEY, HOUSEHOLDER;

    /** The map of PyTorch's name for it: "matrix_exp", "cayley" or "householder". */
    public static OrthMap of(String name) {
      for (OrthMap m : values()) if (m.name().toLowerCase(java.util.Locale.ROOT).equals(name)) return m;
      throw new IllegalArgumentException("orthogonal_map has to be one of \"matrix_exp\", \"cayley\", \"householder\". Got: " + name);
    }
  }

  private final long[] shape;
  public final OrthMap orthogonalMap;
  public final boolean useTrivialization;

  /** For a tensor of weight's shape (at least 2-D). */
  public OrthogonalParametrization(Tensor weight, OrthMap orthogonalMap, boolean useTrivialization) {
    this.shape = weight.shape();
    this.orthogonalMap = orthogonalMap;
    this.useTrivialization = useTrivialization;
    if (useTrivialization) registerBuffer("base", null);
  }

  @Override
  public Tensor forward(Tensor x) {
    long n = x.size(-2), k = x.size(-1);
    boolean transposed = n < k;
    if (transposed) {
      x = x.transpose(-2, -1);
      long t = n;
      n = k;
      k = t;
    }
    Tensor q;
    if (orthogonalMap != OrthMap.HOUSEHOLDER) {
      x = x.tril();
      if (n != k) x = Tensor.cat(List.of(x, Tensor.zeros(x.dtype(), shapeWithLast(x.shape(), n - k))), -1);
      Tensor a = x.sub(x.transpose(-2, -1)); // skew-symmetric
      if (orthogonalMap == OrthMap.MATRIX_EXP) {
        q = OrthogonalMaps.matrixExp(a);
      } else { // (I + A/2)(I - A/2)^-1 as the solve of (I - A/2) Q = I + A/2
        Tensor id = Tensor.eye(a.dtype(), n, n);
        q = OrthogonalMaps.solve(id.sub(a.mul(0.5)), id.add(a.mul(0.5)));
      }
      if (n != k) q = q.narrow(-1, 0, k);
    } else {
      Tensor a = x.tril(-1);
      Tensor tau = a.mul(a).sum(new int[] {-2}, false).add(1).reciprocal().mul(2);
      q = OrthogonalMaps.householderProduct(a, tau);
      // x's diagonal holds 1s and -1s; cast to int so that neither the gradient nor the optimizer moves it
      q = q.mul(x.diagonal(0, -2, -1).to(DType.INT32).unsqueeze(-2));
    }
    Tensor base = useTrivialization ? tensor("base") : null;
    if (base != null) q = base.matmul(q);
    return transposed ? q.transpose(-2, -1) : q;
  }

  private static long[] shapeWithLast(long[] shape, long last) {
    long[] s = shape.clone();
    s[s.length - 1] = last;
    return s;
  }

  /**
   * An original that forward maps to q. With the trivialization: base becomes q made orthogonal (as it is if it
   * already is; else its Q factor, after random columns complete a non-square q) and the original -I. Without:
   * for "householder" the reflectors of q's QR factorization; "matrix_exp" and "cayley" have none
   * (UnsupportedOperationException, PyTorch's NotImplementedError).
   */
  @Override
  public Tensor rightInverse(Tensor q) {
    if (!Arrays.equals(q.shape(), shape))
      throw new IllegalArgumentException("Expected a matrix or batch of matrices of shape " + Parametrize.torchSize(shape)
          + ". Got a tensor of shape " + Parametrize.torchSize(q.shape()) + ".");
    try (ModeScope g = Autograd.noGrad()) {
      Tensor qInit = q;
      long n = q.size(-2), k = q.size(-1);
      boolean transpose = n < k;
      if (transpose) {
        q = q.transpose(-2, -1);
        long t = n;
        n = k;
        k = t;
      }
      if (!useTrivialization) {
        if (orthogonalMap != OrthMap.HOUSEHOLDER)
          throw new UnsupportedOperationException("It is not possible to assign to the matrix exponential or the Cayley parametrizations "
              + "when use_trivialization=False.");
        Tensor[] qr = OrthogonalMaps.geqrf(q);
        Tensor a = qr[0];
        // R's diagonal becomes its signs, flipped where no reflection was made (LAPACK gives tau 0 exactly then)
        Tensor sign = a.diagonal(0, -2, -1).sign();
        Tensor flip = qr[1].eq(0.0);
        a = a.diagonalScatter(Tensor.where(flip, sign.neg(), sign), 0, -2, -1);
        return transpose ? a.transpose(-2, -1) : a;
      }
      if (n == k) {
        q = OrthogonalMaps.isOrthogonal(q) ? q.clone() : OrthogonalMaps.makeOrthogonal(q);
      } else {
        Tensor completion = Tensor.randn(q.dtype(), shapeWithLast(q.shape(), n - k));
        q = OrthogonalMaps.makeOrthogonal(Tensor.cat(List.of(q, completion), -1));
      }
      registerBuffer("base", q);
      Tensor negId = Tensor.zerosLike(qInit);
      negId.diagonal(0, -2, -1).fill_(-1.0);
      return negId;
    }
  }

  @Override
  protected String name() {
    return "_Orthogonal";
  }
}
