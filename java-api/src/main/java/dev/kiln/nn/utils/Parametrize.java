package dev.kiln.nn.utils;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.LazyModule;
import dev.kiln.nn.Module;
import dev.kiln.nn.ModuleDict;
import dev.kiln.nn.TensorProperty;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Parametrized tensors (torch.nn.utils.parametrize): a module's parameter or buffer replaced by a function of
 * unconstrained tensors, recomputed whenever it is read, so that training the unconstrained tensors keeps the
 * parametrized one constrained (orthogonal, symmetric, normalized...).
 *
 * <pre>{@code
 * Linear m = Parametrize.registerParametrization(new Linear(5, 5), "weight", new Symmetric());
 * Tensor w = m.tensor("weight");                       // symmetric, computed now; forward uses the same
 * m.setTensor("weight", a);                            // sets the original through Symmetric's right inverse
 * Tensor x = Parametrize.parametrizations(m, "weight").original();   // what the optimizer trains
 * }</pre>
 *
 * <p>How it maps onto Java. The parametrized tensor becomes a property of the module ({@link Module#registerProperty}):
 * {@code module.tensor("weight")} computes it (PyTorch's {@code module.weight}) and {@code module.setTensor("weight",
 * value)} assigns through right_inverse ({@code module.weight = value}); the layers' forwards read their weights
 * through {@code tensor(name)}. The layer's own field ({@code linear.weight}) keeps the tensor it was built with,
 * which, as in PyTorch, becomes {@code parametrizations.weight.original} (when the original is one tensor): the
 * unconstrained tensor, so an optimizer made before the registration still trains the right tensor. Names in
 * state dicts and namedParameters are PyTorch's ({@code parametrizations.weight.original},
 * {@code parametrizations.weight.0._u}, ...), and the module prints as {@code ParametrizedLinear(...)}.
 *
 * <p>A parametrization is a Module: its forward maps the original to the parametrized tensor; it may implement
 * {@link RightInverse}, or be a {@link MultiTensorParametrization} (originals original0, original1, ...). Errors are
 * PyTorch's, ValueError as IllegalArgumentException and RuntimeError as IllegalStateException.
 */
public final class Parametrize {
  private Parametrize() {}

  /** Per thread: how many cached() scopes are open, and the values computed in them. */
  private static final ThreadLocal<int[]> CACHE_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
  private static final ThreadLocal<Map<Module, Map<String, Tensor>>> CACHE = ThreadLocal.withInitial(IdentityHashMap::new);

  /** registerParametrization with unsafe false. */
  public static <M extends Module> M registerParametrization(M module, String tensorName, Module parametrization) {
    return registerParametrization(module, tensorName, parametrization, false);
  }

  /**
   * Parametrizes the parameter or buffer tensorName of module by parametrization (PyTorch's
   * register_parametrization): reading {@code module.tensor(tensorName)} then gives {@code parametrization(original)}
   * with gradients flowing to the original. The first parametrization of a tensor moves it to
   * {@code module.parametrizations.<tensorName>.original}, starting it at the parametrization's right inverse of the
   * tensor (the tensor itself without one); later ones are applied after it, to its output. The parametrization
   * takes the module's training mode.
   *
   * @param unsafe skip the checks that the parametrization keeps the tensor's dtype and shape (and, for a later
   *     parametrization, that its right inverse does too); stays on for the tensor once given
   * @return module
   */
  public static <M extends Module> M registerParametrization(M module, String tensorName, Module parametrization, boolean unsafe) {
    refuseLazy(module, "parametrized");
    parametrization.train(module.isTraining());
    if (isParametrized(module, tensorName)) {
      if (parametrization instanceof MultiTensorParametrization)
        throw new IllegalArgumentException("a parametrization of several tensors (MultiTensorParametrization) can only be the first "
            + "registered on a tensor, and '" + tensorName + "' is already parametrized");
      if (!unsafe) checkAppended(module, tensorName, parametrization);
      ParametrizationList list = parametrizations(module, tensorName);
      list.add(parametrization);
      list.addUnsafe(unsafe);
      return module;
    }
    boolean isParameter = module.namedParameters().containsKey(tensorName);
    if (!isParameter && !module.namedBuffers().containsKey(tensorName))
      throw new IllegalArgumentException("Module '" + module + "' does not have a parameter, a buffer, or a parametrized element with name '"
          + tensorName + "'");
    Tensor original = module.tensor(tensorName);
    ParametrizationList list = new ParametrizationList(parametrization, original, isParameter, unsafe); // checks first
    module.deleteAttribute(tensorName);
    if (!isParametrized(module)) module.addModule("parametrizations", new ModuleDict());
    module.registerProperty(tensorName, new Parametrized(module, tensorName));
    dict(module).put(tensorName, list);
    return module;
  }

  /** For a parametrization added to a chain: PyTorch's checks that it maps the current value to its space. */
  private static void checkAppended(Module module, String name, Module parametrization) {
    Tensor y = module.tensor(name);
    Tensor x = parametrization.call(y);
    if (x.dtype() != y.dtype())
      throw new IllegalArgumentException("Registering a parametrization may not change the dtype of the tensor, unless the `unsafe` flag is enabled.\n"
          + "module." + name + ".dtype: " + torchName(y.dtype()) + "\n"
          + "parametrization(module." + name + ").dtype: " + torchName(x.dtype()));
    if (!Arrays.equals(x.shape(), y.shape()))
      throw new IllegalArgumentException("Registering a parametrization may not change the shape of the tensor, unless the `unsafe` flag is enabled.\n"
          + "module." + name + ".shape: " + torchSize(y.shape()) + "\n"
          + "parametrization(module." + name + ").shape: " + torchSize(x.shape()));
    if (!(parametrization instanceof RightInverse r)) return; // right_inverse is taken to be the identity
    Tensor z;
    try {
      z = r.rightInverse(x);
    } catch (UnsupportedOperationException notImplemented) {
      return;
    }
    if (z == null) throw new IllegalArgumentException("parametrization.right_inverse must return a tensor. Got: NoneType");
    if (z.dtype() != y.dtype())
      throw new IllegalArgumentException("The tensor returned by parametrization.right_inverse must have the same dtype as module." + name
          + ", unless the `unsafe` flag is enabled.\n"
          + "module." + name + ".dtype: " + torchName(y.dtype()) + "\n"
          + "returned dtype: " + torchName(z.dtype()));
    if (!Arrays.equals(z.shape(), y.shape()))
      throw new IllegalArgumentException("The tensor returned by parametrization.right_inverse must have the same shape as module." + name
          + ", unless the `unsafe` flag is enabled.\n"
          + "module." + name + ".shape: " + torchSize(y.shape()) + "\n"
          + "returned shape: " + torchSize(z.shape()));
  }

  /** Whether module has any parametrized tensor (PyTorch's is_parametrized(module)). */
  public static boolean isParametrized(Module module) {
    return isParametrized(module, null);
  }

  /** Whether module's tensorName is parametrized; with tensorName null, whether any tensor is. */
  public static boolean isParametrized(Module module, String tensorName) {
    if (!(module.namedChildren().get("parametrizations") instanceof ModuleDict d)) return false;
    return tensorName == null ? d.size() > 0 : d.keys().contains(tensorName);
  }

  /** removeParametrizations leaving the tensor parametrized (its current value). */
  public static <M extends Module> M removeParametrizations(M module, String tensorName) {
    return removeParametrizations(module, tensorName, true);
  }

  /**
   * Removes the parametrizations of tensorName (PyTorch's remove_parametrizations): the module gets back a plain
   * parameter (or buffer) of that name, holding the current parametrized value (leaveParametrized) or the original.
   * It is the same tensor object as before the registration when the original was one tensor (PyTorch's set_),
   * so the layer's field is its weight again; with several originals, it is that first tensor object too (PyTorch
   * makes a new Parameter), holding the value and requiring grad as the value does.
   *
   * @throws IllegalArgumentException if tensorName is not parametrized, or leaveParametrized is false for a tensor
   *     parametrized by several originals
   */
  public static <M extends Module> M removeParametrizations(M module, String tensorName, boolean leaveParametrized) {
    if (!isParametrized(module, tensorName))
      throw new IllegalArgumentException("Module " + module + " does not have a parametrization on " + tensorName);
    ParametrizationList list = parametrizations(module, tensorName);
    Tensor original;
    boolean parameter = list.wasParameter;
    if (list.isTensor()) {
      original = list.original();
      if (leaveParametrized) {
        try (ModeScope g = Autograd.noGrad()) {
          original.setData(module.tensor(tensorName));
        }
      }
    } else {
      if (!leaveParametrized)
        throw new IllegalArgumentException("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized in terms of a sequence of tensors.");
      Tensor t = module.tensor(tensorName); // with grad mode on: whether it requires grad decides parameter or buffer
      parameter = t.requiresGrad();
      original = list.unparametrized;
      try (ModeScope g = Autograd.noGrad()) {
        original.setData(t.detach());
      }
      original.requiresGrad(parameter);
    }
    module.deleteAttribute(tensorName); // the property
    dict(module).deleteAttribute(tensorName);
    boolean requiresGrad = original.requiresGrad();
    if (parameter) {
      module.registerParameter(tensorName, original);
      if (!requiresGrad) original.requiresGrad(false);
    } else {
      module.registerBuffer(tensorName, original);
    }
    if (!isParametrized(module)) module.deleteAttribute("parametrizations");
    return module;
  }

  /** module.parametrizations: the ParametrizationList of each parametrized tensor by name. */
  public static ModuleDict parametrizations(Module module) {
    if (!isParametrized(module))
      throw new IllegalArgumentException("'" + module.getClass().getSimpleName() + "' object has no attribute 'parametrizations'");
    return dict(module);
  }

  /** module.parametrizations.&lt;tensorName&gt;: the parametrizations of that tensor and its original(s). */
  public static ParametrizationList parametrizations(Module module, String tensorName) {
    if (!isParametrized(module, tensorName))
      throw new IllegalArgumentException("Module " + module + " does not have a parametrization on " + tensorName);
    return (ParametrizationList) dict(module).get(tensorName);
  }

  private static ModuleDict dict(Module module) {
    return (ModuleDict) module.namedChildren().get("parametrizations");
  }

  // ---------------------------------------------------------------- caching

  /** A scope of cached(): closing the outermost one drops the cached values. */
  public static final class CacheScope implements AutoCloseable {
    private boolean closed;

    private CacheScope() {
      CACHE_DEPTH.get()[0]++;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      if (--CACHE_DEPTH.get()[0] == 0) CACHE.get().clear();
    }
  }

  /**
   * Computes each parametrized tensor once while the scope is open (PyTorch's {@code with parametrize.cached():}):
   * for a weight used several times in one forward (an RNN cell's in a loop, shared weights). Scopes nest; the
   * values are dropped when the outermost closes. The cache belongs to the thread that opened the scope.
   *
   * <pre>{@code
   * try (var c = Parametrize.cached()) {
   *   for (Tensor x : xs) h = cell.forward(x, h);   // the parametrized weights computed once
   * }
   * }</pre>
   */
  public static CacheScope cached() {
    return new CacheScope();
  }

  /** The property that stands for a parametrized tensor: computes it (cached in a cached() scope), assigns through right_inverse. */
  private record Parametrized(Module module, String name) implements TensorProperty {
    @Override
    public Tensor get() {
      ParametrizationList list = parametrizations(module, name);
      if (CACHE_DEPTH.get()[0] == 0) return list.call();
      Map<String, Tensor> cached = CACHE.get().computeIfAbsent(module, m -> new HashMap<>());
      Tensor t = cached.get(name);
      if (t == null) {
        t = TensorScope.escape(list.call()); // read until the cache scope closes, maybe outside a tensor scope
        cached.put(name, t);
      }
      return t;
    }

    @Override
    public void set(Tensor value) {
      parametrizations(module, name).rightInverse(value);
    }
  }

  // ---------------------------------------------------------------- shared with the parametrizations

  /** module.tensor(name), or null where module has no tensor attribute of that name (Python's getattr(m, name, None)). */
  static Tensor tensorOrNull(Module module, String name) {
    try {
      return module.tensor(name);
    } catch (IllegalArgumentException noSuchAttribute) {
      return null;
    }
  }

  /** A lazy module's forward runs the module it builds, whose own tensors a reparametrization would not reach. */
  static void refuseLazy(Module module, String what) {
    if (module instanceof LazyModule<?> lazy)
      throw new IllegalArgumentException(module.getClass().getSimpleName() + " cannot be " + what + ": a lazy module runs the module it"
          + (lazy.hasUninitializedParams() ? " will build on its first input" : " built") + ", not its own tensors; build that layer itself");
  }

  static String torchName(DType dtype) {
    return "torch." + dtype;
  }

  static String torchSize(long[] shape) {
    StringBuilder sb = new StringBuilder("torch.Size([");
    for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
    return sb.append("])").toString();
  }
}
