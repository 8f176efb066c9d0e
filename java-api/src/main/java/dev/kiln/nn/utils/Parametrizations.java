package dev.kiln.nn.utils;

import dev.kiln.Tensor;
import dev.kiln.nn.ConvTranspose1d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.ConvTranspose3d;
import dev.kiln.nn.Module;

/**
 * The parametrizations PyTorch 1.13 ships (torch.nn.utils.parametrizations): orthogonal and spectral_norm, each
 * registered with {@link Parametrize#registerParametrization} on a module's tensor.
 *
 * <pre>{@code
 * Linear q = Parametrizations.orthogonal(new Linear(20, 40));   // q.tensor("weight") has orthonormal columns
 * Conv2d d = Parametrizations.spectralNorm(new Conv2d(3, 16, 3));
 * }</pre>
 */
public final class Parametrizations {
  private Parametrizations() {}

  /** orthogonal on "weight" with the default map and the dynamic trivialization. */
  public static <M extends Module> M orthogonal(M module) {
    return orthogonal(module, "weight", null, true);
  }

  /** orthogonal on the tensor name with the default map and the dynamic trivialization. */
  public static <M extends Module> M orthogonal(M module, String name) {
    return orthogonal(module, name, null, true);
  }

  /**
   * Makes the matrix (or batch of matrices) name of module orthogonal: orthonormal columns, or rows when it is
   * wider than tall (PyTorch's parametrizations.orthogonal; see {@link OrthogonalParametrization} for the maps).
   *
   * @param orthogonalMap "matrix_exp", "cayley" or "householder"; null for "matrix_exp" on square matrices,
   *     "householder" on others
   * @param useTrivialization keep the dynamic trivialization's base matrix (module.parametrizations.name[0].base)
   * @return module
   */
  public static <M extends Module> M orthogonal(M module, String name, String orthogonalMap, boolean useTrivialization) {
    Parametrize.refuseLazy(module, "parametrized");
    Tensor weight = Parametrize.tensorOrNull(module, name);
    if (weight == null) throw new IllegalArgumentException("Module '" + module + "' has no parameter or buffer with name '" + name + "'");
    if (weight.dim() < 2)
      throw new IllegalArgumentException("Expected a matrix or batch of matrices. Got a tensor of " + weight.dim() + " dimensions.");
    if (orthogonalMap == null) orthogonalMap = weight.size(-2) == weight.size(-1) ? "matrix_exp" : "householder";
    OrthogonalParametrization orth = new OrthogonalParametrization(weight, OrthogonalParametrization.OrthMap.of(orthogonalMap), useTrivialization);
    return Parametrize.registerParametrization(module, name, orth, true);
  }

  /** spectralNorm on "weight" with one power iteration, eps 1e-12 and the default dim. */
  public static <M extends Module> M spectralNorm(M module) {
    return spectralNorm(module, "weight", 1, 1e-12, null);
  }

  /** spectralNorm of the tensor name with one power iteration, eps 1e-12 and the default dim. */
  public static <M extends Module> M spectralNorm(M module, String name) {
    return spectralNorm(module, name, 1, 1e-12, null);
  }

  /**
   * Divides the tensor name of module by its spectral norm, estimated by the power method (PyTorch's
   * parametrizations.spectral_norm; see {@link SpectralNormParametrization}): a Lipschitz constraint, for GAN
   * discriminators. In training mode each read of the weight runs nPowerIterations steps; in evaluation mode none.
   *
   * @param dim the dim of outputs; null for 1 on transposed convolutions, else 0
   * @return module
   */
  public static <M extends Module> M spectralNorm(M module, String name, int nPowerIterations, double eps, Integer dim) {
    Parametrize.refuseLazy(module, "parametrized");
    Tensor weight = Parametrize.tensorOrNull(module, name);
    if (weight == null) throw new IllegalArgumentException("Module '" + module + "' has no parameter or buffer with name '" + name + "'");
    if (dim == null) dim = isConvTranspose(module) ? 1 : 0;
    return Parametrize.registerParametrization(module, name, new SpectralNormParametrization(weight, nPowerIterations, dim, eps));
  }

  static boolean isConvTranspose(Module module) {
    return module instanceof ConvTranspose1d || module instanceof ConvTranspose2d || module instanceof ConvTranspose3d;
  }
}
