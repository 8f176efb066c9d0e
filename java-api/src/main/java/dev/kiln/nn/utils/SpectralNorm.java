package dev.kiln.nn.utils;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.autograd.RemovableHandle;
import dev.kiln.nn.ForwardPreHook;
import dev.kiln.nn.Module;
import dev.kiln.nn.functional.Normalization;

/**
 * Spectral normalization as PyTorch 1.13 first did it, with a forward pre-hook (torch.nn.utils.spectral_norm; the
 * parametrization form is {@link Parametrizations#spectralNorm}): the parameter "weight" becomes weight_orig, with
 * buffers weight_u and weight_v approximating its first singular vectors, and before each forward the hook sets
 * the plain tensor attribute weight = weight_orig / sigma, sigma = u^T W v, after nPowerIterations steps of the power
 * method in training mode (none in evaluation mode). The layer's forward reads it through
 * {@code module.tensor("weight")}; the module prints as before.
 *
 * <pre>{@code
 * Linear m = SpectralNorm.spectralNorm(new Linear(20, 40));   // weight_orig, weight_u [40], weight_v [20]
 * }</pre>
 */
public final class SpectralNorm implements ForwardPreHook {
  public final String name;
  public final int dim;
  public final int nPowerIterations;
  public final double eps;
  private RemovableHandle handle;

  private SpectralNorm(String name, int nPowerIterations, int dim, double eps) {
    if (nPowerIterations <= 0)
      throw new IllegalArgumentException("Expected n_power_iterations to be positive, but got n_power_iterations=" + nPowerIterations);
    this.name = name;
    this.dim = dim;
    this.nPowerIterations = nPowerIterations;
    this.eps = eps;
  }

  /** spectralNorm on "weight" with one power iteration, eps 1e-12 and the default dim. */
  public static <M extends Module> M spectralNorm(M module) {
    return spectralNorm(module, "weight", 1, 1e-12, null);
  }

  /** spectralNorm of the parameter name with one power iteration, eps 1e-12 and the default dim. */
  public static <M extends Module> M spectralNorm(M module, String name) {
    return spectralNorm(module, name, 1, 1e-12, null);
  }

  /**
   * Replaces the parameter name of module by name_orig, with buffers name_u and name_v drawn at random (normalized),
   * and recomputes name = name_orig / sigma before every forward (PyTorch's spectral_norm).
   *
   * @param dim the dim of outputs; null for 1 on transposed convolutions, else 0
   * @return module
   */
  public static <M extends Module> M spectralNorm(M module, String name, int nPowerIterations, double eps, Integer dim) {
    if (find(module, name) != null) throw new IllegalStateException("Cannot register two spectral_norm hooks on the same parameter " + name);
    SpectralNorm fn = new SpectralNorm(name, nPowerIterations, dim != null ? dim : Parametrizations.isConvTranspose(module) ? 1 : 0, eps);
    Parametrize.refuseLazy(module, "spectral-normalized");
    if (!module.namedParameters().containsKey(name)) {
      boolean absent = Parametrize.tensorOrNull(module, name) == null && !module.namedBuffers().containsKey(name);
      if (absent && hasAttribute(module, name)) // registered as null (bias=False)
        throw new IllegalArgumentException("`SpectralNorm` cannot be applied as parameter `" + name + "` is None");
      throw new IllegalArgumentException("'" + name + "' is not a parameter of " + module.getClass().getSimpleName()); // PyTorch's KeyError
    }
    Tensor weight = module.tensor(name);
    Tensor u, v;
    try (ModeScope g = Autograd.noGrad()) {
      Tensor w = fn.toMatrix(weight);
      u = Normalization.normalize(Tensor.randn(weight.dtype(), w.size(0)), 2, 0, eps);
      v = Normalization.normalize(Tensor.randn(weight.dtype(), w.size(1)), 2, 0, eps);
    }
    module.deleteAttribute(name);
    module.registerParameter(name + "_orig", weight);
    module.setTensor(name, weight.detach());
    module.registerBuffer(name + "_u", u);
    module.registerBuffer(name + "_v", v);
    fn.handle = module.registerForwardPreHook(fn);
    return module;
  }

  /** removeSpectralNorm of "weight". */
  public static <M extends Module> M removeSpectralNorm(M module) {
    return removeSpectralNorm(module, "weight");
  }

  /**
   * Removes the spectral norm of name (PyTorch's remove_spectral_norm): name is a parameter again, holding
   * weight_orig / sigma with the current u and v (no power iteration). It is the weight_orig tensor object, the one
   * spectralNorm replaced (so the layer's field is its weight again; PyTorch makes a new Parameter).
   *
   * @throws IllegalArgumentException if name has no spectral norm
   */
  public static <M extends Module> M removeSpectralNorm(M module, String name) {
    SpectralNorm fn = find(module, name);
    if (fn == null) throw new IllegalArgumentException("spectral_norm of '" + name + "' not found in " + module);
    Tensor original = module.tensor(name + "_orig");
    try (ModeScope g = Autograd.noGrad()) {
      Tensor weight = fn.compute(module, false);
      for (String attribute : new String[] {name, name + "_u", name + "_v", name + "_orig"}) module.deleteAttribute(attribute);
      original.setData(weight.detach());
    }
    module.registerParameter(name, original);
    fn.handle.remove();
    return module;
  }

  private static boolean hasAttribute(Module module, String name) {
    try {
      module.tensor(name);
      return true;
    } catch (IllegalArgumentException none) {
      return false;
    }
  }

  private static SpectralNorm find(Module module, String name) {
    for (ForwardPreHook h : module.forwardPreHooks())
      if (h instanceof SpectralNorm s && s.name.equals(name)) return s;
    return null;
  }

  /** The pre-hook: the normalized weight, with power iterations in training mode. */
  @Override
  public Tensor[] apply(Module module, Tensor[] inputs) {
    module.setTensor(name, compute(module, module.isTraining()));
    return null;
  }

  /** The weight with dim moved to the front, as a matrix [size(dim), rest]. */
  private Tensor toMatrix(Tensor weight) {
    Tensor w = weight;
    if (dim != 0) {
      int[] order = new int[w.dim()];
      order[0] = dim;
      for (int d = 0, i = 1; d < order.length; d++) if (d != dim) order[i++] = d;
      w = w.permute(order);
    }
    return w.reshape(w.size(0), -1);
  }

  /** weight_orig / (u^T W v), the power method first updating u and v in place when asked. */
  private Tensor compute(Module module, boolean doPowerIteration) {
    Tensor weight = module.tensor(name + "_orig"), u = module.tensor(name + "_u"), v = module.tensor(name + "_v");
    Tensor w = toMatrix(weight);
    if (doPowerIteration) {
      try (ModeScope g = Autograd.noGrad()) {
        for (int i = 0; i < nPowerIterations; i++) {
          v.copy_(Normalization.normalize(w.t().mv(u), 2, 0, eps));
          u.copy_(Normalization.normalize(w.mv(v), 2, 0, eps));
        }
        // copies: a backward through an earlier forward still needs the values the buffers had then
        u = u.clone();
        v = v.clone();
      }
    }
    Tensor sigma = u.dot(w.mv(v));
    return weight.div(sigma);
  }
}
