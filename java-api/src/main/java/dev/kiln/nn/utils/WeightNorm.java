package dev.kiln.nn.utils;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.autograd.RemovableHandle;
import dev.kiln.nn.ForwardPreHook;
import dev.kiln.nn.Module;

/**
 * Weight normalization as PyTorch 1.13 does it, with a forward pre-hook (torch.nn.utils.weight_norm): the
 * parameter "weight" becomes weight_g (its norm over every dim but dim) and weight_v (its direction), and before each
 * forward the hook sets the plain tensor attribute weight = g * v / ||v||, which the layer's forward reads through
 * {@code module.tensor("weight")}. The state dict holds weight_g and weight_v; the module prints as before.
 *
 * <pre>{@code
 * Linear m = WeightNorm.weightNorm(new Linear(20, 40));   // weight_g [40, 1], weight_v [40, 20]
 * WeightNorm.removeWeightNorm(m);                           // weight again, holding g * v / ||v||
 * }</pre>
 */
public final class WeightNorm implements ForwardPreHook {
  public final String name;
  /** The dim kept by the norm; -1 for the norm of the whole tensor (PyTorch's dim=None). */
  public final int dim;
  private final Tensor replaced;
  private RemovableHandle handle;

  private WeightNorm(String name, int dim, Tensor replaced) {
    this.name = name;
    this.dim = dim;
    this.replaced = replaced;
  }

  /** weightNorm on "weight" over dim 0 (one norm per output). */
  public static <M extends Module> M weightNorm(M module) {
    return weightNorm(module, "weight", 0);
  }

  /** weightNorm of the parameter name over dim 0: {@code WeightNorm.weightNorm(lstm, "weight_hh_l0")}. */
  public static <M extends Module> M weightNorm(M module, String name) {
    return weightNorm(module, name, 0);
  }

  /**
   * Replaces the parameter name of module by name_g, its 2-norm over all dims but dim (kept with size 1), and
   * name_v, its values (PyTorch's weight_norm); name is recomputed as g * v / ||v|| before every forward.
   *
   * @param dim the dim with a norm per index; null (or -1, as in PyTorch) for one norm of the whole tensor
   * @return module
   */
  public static <M extends Module> M weightNorm(M module, String name, Integer dim) {
    if (find(module, name) != null) throw new IllegalStateException("Cannot register two weight_norm hooks on the same parameter " + name);
    Parametrize.refuseLazy(module, "weight-normalized");
    int d = dim == null ? -1 : dim;
    Tensor weight = module.tensor(name); // "object has no attribute" for no tensor of that name
    if (!module.namedParameters().containsKey(name)) // PyTorch's KeyError from del module._parameters[name]
      throw new IllegalArgumentException("'" + name + "' is not a parameter of " + module.getClass().getSimpleName());
    WeightNorm fn = new WeightNorm(name, d, weight);
    module.deleteAttribute(name);
    try (ModeScope g = Autograd.noGrad()) {
      module.registerParameter(name + "_g", normExceptDim(weight, 2, d).detach());
      module.registerParameter(name + "_v", weight.detach()); // shares the weight's memory, as Parameter(weight.data)
    }
    module.setTensor(name, fn.compute(module));
    fn.handle = module.registerForwardPreHook(fn);
    return module;
  }

  /** removeWeightNorm of "weight". */
  public static <M extends Module> M removeWeightNorm(M module) {
    return removeWeightNorm(module, "weight");
  }

  /**
   * Removes the weight norm of name (PyTorch's remove_weight_norm): name is a parameter again, holding g * v / ||v||.
   * It is the tensor object that weightNorm replaced (so the layer's field is its weight again; PyTorch makes a new
   * Parameter).
   *
   * @throws IllegalArgumentException if name has no weight norm
   */
  public static <M extends Module> M removeWeightNorm(M module, String name) {
    WeightNorm fn = find(module, name);
    if (fn == null) throw new IllegalArgumentException("weight_norm of '" + name + "' not found in " + module);
    Tensor weight = fn.compute(module);
    module.deleteAttribute(name);
    module.deleteAttribute(name + "_g");
    module.deleteAttribute(name + "_v");
    try (ModeScope g = Autograd.noGrad()) {
      fn.replaced.setData(weight.detach());
    }
    module.registerParameter(name, fn.replaced);
    fn.handle.remove();
    return module;
  }

  /** The weight norm of name among module's forward pre-hooks, or null. */
  private static WeightNorm find(Module module, String name) {
    for (ForwardPreHook h : module.forwardPreHooks())
      if (h instanceof WeightNorm w && w.name.equals(name)) return w;
    return null;
  }

  /** The pre-hook: the weight from g and v, as forward will read it. */
  @Override
  public Tensor[] apply(Module module, Tensor[] inputs) {
    module.setTensor(name, compute(module));
    return null;
  }

  /** g * v / ||v|| (torch._weight_norm). */
  Tensor compute(Module module) {
    Tensor g = module.tensor(name + "_g"), v = module.tensor(name + "_v");
    return v.mul(g.div(normExceptDim(v, 2, dim)));
  }

  /**
   * The p-norm of v over every dim but dim, shaped to broadcast against v (size 1 but at dim); over the whole tensor,
   * a 0-dim tensor, when dim is -1 (torch.norm_except_dim).
   */
  static Tensor normExceptDim(Tensor v, double p, int dim) {
    if (dim == -1) return v.norm(p);
    int nd = v.dim();
    if (nd == 1) return v.abs(); // each element its own norm
    if (dim == 0 || dim == nd - 1) {
      int[] others = new int[nd - 1];
      for (int d = 0, i = 0; d < nd; d++) if (d != dim) others[i++] = d;
      return v.norm(p, others, true);
    }
    return normExceptDim(v.transpose(0, dim), p, 0).transpose(0, dim);
  }
}
