package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.autograd.RemovableHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The base of every layer and model (torch.nn.Module). A subclass registers its parameters, buffers and
 * submodules in its constructor, keeps them in fields, and implements forward:
 *
 * <pre>{@code
 * class TwoLayer extends Module {
 *   final Linear fc1 = registerModule("fc1", new Linear(784, 128));
 *   final Linear fc2 = registerModule("fc2", new Linear(128, 10));
 *   public Tensor forward(Tensor x) { return fc2.call(fc1.call(x).relu()); }
 * }
 * }</pre>
 *
 * Call a module with {@link #call(Tensor)}, which runs the forward hooks around forward (PyTorch's
 * {@code module(x)}). Names follow PyTorch's: state dict keys are dotted paths ("fc1.weight", "0.bias").
 *
 * <p>Tensor attributes. Python reads {@code module.weight} through getattr, so a reparametrization can put a
 * computed value in its place; a Java field cannot change. So a layer keeps the tensors it registered in fields
 * ({@code linear.weight}) but its forward reads them by name with {@link #tensor(String)}, which returns, in
 * PyTorch's order: a property's value computed now ({@link #registerProperty}: what torch.nn.utils.parametrize
 * installs for a parametrized tensor), else the parameter or buffer, else a plain tensor attribute set with
 * {@link #setTensor} (what the hook-based weight_norm refreshes before each forward). Without any of these, tensor
 * returns the field's tensor, one map lookup per read; {@link #setTensor} is PyTorch's {@code module.name = value}.
 */
public abstract class Module implements AutoCloseable {
  private static final AtomicLong NEXT_HOOK = new AtomicLong();

  private final Map<String, Tensor> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Set<String> nonPersistent = new HashSet<>();
  private final Map<String, Module> modules = new LinkedHashMap<>();
  private final Map<String, TensorProperty> properties = new LinkedHashMap<>();
  private final Map<String, Tensor> plainTensors = new LinkedHashMap<>();
  private final Map<Long, ForwardPreHook> preHooks = new LinkedHashMap<>();
  private final Map<Long, ForwardHook> forwardHooks = new LinkedHashMap<>();
  private boolean training = true;
  private boolean closed;

  // ---------------------------------------------------------------- registration

  /**
   * While a lazy module builds the module it becomes (LazyModule): its placeholder tensors by name, which the
   * module under construction registers in place of its fresh tensors, so that references to them stay valid.
   */
  private static final ThreadLocal<Map<String, Tensor>> SLOTS = new ThreadLocal<>();

  /**
   * Registers a parameter (requiring grad) under name and returns it; null records "no parameter" (bias=False).
   * Registering a name again replaces the parameter (PyTorch's register_parameter, or assigning a Parameter).
   */
  public Tensor registerParameter(String name, Tensor param) {
    param = slotFor(name, param);
    checkName(name, parameters);
    if (param != null && !param.requiresGrad()) param.requiresGrad(true);
    parameters.put(name, TensorScope.escape(param)); // a model outlives the scope it was built in
    return param;
  }

  /** Registers a buffer (state that is not trained, such as running means) that the state dict keeps. */
  public Tensor registerBuffer(String name, Tensor buffer) {
    return registerBuffer(name, buffer, true);
  }

  /** A buffer that the state dict leaves out unless persistent (running statistics one can recompute, say). */
  public Tensor registerBuffer(String name, Tensor buffer, boolean persistent) {
    buffer = slotFor(name, buffer);
    checkName(name, buffers);
    nonPersistent.remove(name);
    buffers.put(name, TensorScope.escape(buffer));
    if (!persistent) nonPersistent.add(name);
    return buffer;
  }

  /** Runs build with slots as the tensors it registers under their names (the slots take the fresh values). */
  static <M extends Module> M buildInto(Map<String, Tensor> slots, java.util.function.Supplier<M> build) {
    Map<String, Tensor> outer = SLOTS.get();
    SLOTS.set(new LinkedHashMap<>(slots));
    try {
      return build.get();
    } finally {
      if (outer == null) SLOTS.remove();
      else SLOTS.set(outer);
    }
  }

  private static Tensor slotFor(String name, Tensor fresh) {
    Map<String, Tensor> slots = SLOTS.get();
    Tensor slot = slots == null || fresh == null ? null : slots.remove(name);
    if (slot == null) return fresh;
    try (ModeScope g = Autograd.noGrad()) {
      slot.setData(fresh.dtype() == slot.dtype() ? fresh : fresh.to(slot.dtype()));
    }
    return slot;
  }

  /** Registers a submodule under name and returns it. */
  protected <M extends Module> M registerModule(String name, M module) {
    checkName(name, modules);
    modules.put(name, module);
    return module;
  }

  /**
   * Adds a submodule, or replaces the one of that name (PyTorch's add_module): to swap the head of a
   * Sequential, say. A subclass that keeps the old module in a field still calls that one in its forward.
   */
  public void addModule(String name, Module module) {
    registerModule(name, module);
  }

  /**
   * Refuses bad names, and a name already taken by another kind of attribute; registering a name again as
   * the same kind replaces the old entry, as assigning to it does in PyTorch.
   */
  private void checkName(String name, Map<String, ?> kind) {
    checkOpen();
    if (name == null || name.isEmpty() || name.contains("."))
      throw new IllegalArgumentException("a parameter, buffer or module name must be non-empty and contain no '.', got \"" + name + "\"");
    for (Map<String, ?> other : List.of(parameters, buffers, modules, properties, plainTensors))
      if (other != kind && other.containsKey(name))
        throw new IllegalArgumentException("attribute '" + name + "' already exists in " + name());
  }

  // ---------------------------------------------------------------- tensor attributes

  /**
   * The tensor attribute name as forward reads it (PyTorch's {@code module.name}): a property's value, computed
   * now; else the parameter, buffer or plain tensor attribute of that name (null for one registered as absent,
   * bias=False). The layers read their weights through this rather than through their fields, so that a
   * parametrization registered on "weight" (torch.nn.utils.parametrize) is what their forward uses; without one it
   * is the tensor of the field. {@code Tensor w = linear.tensor("weight");}
   */
  public final Tensor tensor(String name) {
    checkOpen();
    TensorProperty property = properties.get(name);
    if (property != null) return property.get();
    if (parameters.containsKey(name)) return parameters.get(name);
    if (buffers.containsKey(name)) return buffers.get(name);
    if (plainTensors.containsKey(name)) return plainTensors.get(name);
    throw new IllegalArgumentException("'" + name() + "' object has no attribute '" + name + "'");
  }

  /**
   * Assigns to the tensor attribute name, as PyTorch's {@code module.name = value} does: a property's setter (a
   * parametrized tensor: through right_inverse); a buffer's new value; else a plain tensor attribute, which
   * {@link #tensor} then returns (what the hook-based weight_norm refreshes before each forward). A parameter is
   * not assigned a plain tensor (PyTorch's TypeError): {@link #registerParameter} replaces it, {@code copy_}
   * changes its values. {@code linear.setTensor("weight", symmetric)}
   */
  public final void setTensor(String name, Tensor value) {
    checkOpen();
    TensorProperty property = properties.get(name);
    if (property != null) {
      property.set(value);
    } else if (parameters.containsKey(name)) {
      if (value != null)
        throw new IllegalArgumentException("cannot assign a Tensor as parameter '" + name
            + "' (a parameter registered with registerParameter, or null, expected)");
      registerParameter(name, null);
    } else if (buffers.containsKey(name)) {
      registerBuffer(name, value, !nonPersistent.contains(name));
    } else {
      checkName(name, plainTensors);
      plainTensors.put(name, TensorScope.escape(value)); // read until the next assignment, maybe outside the scope
    }
  }

  /**
   * Makes name a property of this module: a tensor attribute that {@code get} computes whenever {@link #tensor}
   * reads it and that {@link #setTensor} assigns through {@code set}. This is how torch.nn.utils.parametrize (the
   * only user; see dev.kiln.nn.utils.Parametrize) puts a parametrized tensor in place of a parameter or buffer: in
   * Python it makes a subclass "Parametrized" + the class name holding the property, so a module with properties
   * prints and reports itself under that name. The name must not be taken by another attribute.
   */
  public final void registerProperty(String name, TensorProperty property) {
    checkName(name, properties);
    properties.put(name, java.util.Objects.requireNonNull(property, "property"));
  }

  /**
   * Removes the parameter, buffer, submodule, property or plain tensor attribute name (PyTorch's
   * {@code del module.name}), without closing it.
   */
  public final void deleteAttribute(String name) {
    checkOpen();
    for (Map<String, ?> kind : List.of(parameters, buffers, modules, properties, plainTensors)) {
      if (kind.containsKey(name)) {
        kind.remove(name);
        nonPersistent.remove(name);
        return;
      }
    }
    throw new IllegalArgumentException("'" + name() + "' object has no attribute '" + name + "'");
  }

  // ---------------------------------------------------------------- forward

  /** The computation on one tensor; modules that take other inputs define their own forward methods. */
  public Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(name() + " does not take a single tensor: use its own forward method");
  }

  /** Runs forward with the forward pre-hooks and hooks (PyTorch's module(x)). */
  public final Tensor call(Tensor input) {
    return callWithHooks(new Tensor[] {input}, in -> forward(in[0]));
  }

  /** Runs a forward of any signature with the hooks: for modules whose forward takes several inputs. */
  protected final <T> T callWithHooks(Tensor[] inputs, Function<Tensor[], T> forward) {
    checkOpen();
    Tensor[] in = inputs;
    for (ForwardPreHook h : List.copyOf(preHooks.values())) {
      Tensor[] replaced = h.apply(this, in);
      if (replaced != null) in = replaced;
    }
    Object out = forward.apply(in);
    for (ForwardHook h : List.copyOf(forwardHooks.values())) {
      Object replaced = h.apply(this, in, out);
      if (replaced != null) out = replaced;
    }
    @SuppressWarnings("unchecked")
    T result = (T) out;
    return result;
  }

  public RemovableHandle registerForwardPreHook(ForwardPreHook hook) {
    checkOpen();
    long id = NEXT_HOOK.getAndIncrement();
    preHooks.put(id, hook);
    return () -> preHooks.remove(id);
  }

  /**
   * The forward pre-hooks, in the order they run (PyTorch's _forward_pre_hooks): for code that registered a hook
   * to find it again (the hook-based weight_norm and spectral_norm find theirs to remove them).
   */
  public final List<ForwardPreHook> forwardPreHooks() {
    return List.copyOf(preHooks.values());
  }

  public RemovableHandle registerForwardHook(ForwardHook hook) {
    checkOpen();
    long id = NEXT_HOOK.getAndIncrement();
    forwardHooks.put(id, hook);
    return () -> forwardHooks.remove(id);
  }

  // ---------------------------------------------------------------- traversal

  /** Every parameter of this module and its submodules, each once, in registration order. */
  public List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** This module's own parameters only, or all of them (recurse). */
  public List<Tensor> parameters(boolean recurse) {
    checkOpen();
    if (recurse) return parameters();
    List<Tensor> own = new ArrayList<>();
    for (Tensor p : parameters.values()) if (p != null) own.add(p);
    return own;
  }

  /** Parameters by dotted name; a parameter shared by two modules appears once, under its first name. */
  public Map<String, Tensor> namedParameters() {
    checkOpen();
    Map<String, Tensor> out = new LinkedHashMap<>();
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    collect(out, "", seen, true);
    return out;
  }

  public List<Tensor> buffers() {
    return new ArrayList<>(namedBuffers().values());
  }

  public Map<String, Tensor> namedBuffers() {
    checkOpen();
    Map<String, Tensor> out = new LinkedHashMap<>();
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    collect(out, "", seen, false);
    return out;
  }

  private void collect(Map<String, Tensor> out, String prefix, Set<Tensor> seen, boolean params) {
    for (Map.Entry<String, Tensor> e : (params ? parameters : buffers).entrySet())
      if (e.getValue() != null && seen.add(e.getValue())) out.put(prefix + e.getKey(), e.getValue());
    for (Map.Entry<String, Module> m : modules.entrySet())
      if (m.getValue() != null) m.getValue().collect(out, prefix + m.getKey() + ".", seen, params);
  }

  /** The direct submodules. */
  public List<Module> children() {
    return new ArrayList<>(namedChildren().values());
  }

  public Map<String, Module> namedChildren() {
    checkOpen();
    Map<String, Module> out = new LinkedHashMap<>();
    for (Map.Entry<String, Module> e : modules.entrySet()) if (e.getValue() != null) out.put(e.getKey(), e.getValue());
    return out;
  }

  /** This module and every submodule, depth first; this one first. */
  public List<Module> modules() {
    return new ArrayList<>(namedModules().values());
  }

  /** Modules by dotted name; this module is "". */
  public Map<String, Module> namedModules() {
    checkOpen();
    Map<String, Module> out = new LinkedHashMap<>();
    namedModules(out, "", Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  private void namedModules(Map<String, Module> out, String name, Set<Module> seen) {
    if (!seen.add(this)) return;
    out.put(name, this);
    for (Map.Entry<String, Module> e : modules.entrySet())
      if (e.getValue() != null) e.getValue().namedModules(out, name.isEmpty() ? e.getKey() : name + "." + e.getKey(), seen);
  }

  // ---------------------------------------------------------------- modes and conversions

  /** Training mode for this module and its submodules (dropout active, batch norm updating its stats). */
  public Module train() {
    return train(true);
  }

  public Module train(boolean mode) {
    checkOpen();
    training = mode;
    for (Module m : children()) m.train(mode);
    return this;
  }

  /** Evaluation mode: train(false). */
  public Module eval() {
    return train(false);
  }

  public boolean isTraining() {
    return training;
  }

  /** Clears every parameter's gradient (sets it to null, as PyTorch 2 does by default). */
  public void zeroGrad() {
    for (Tensor p : parameters()) p.setGrad(null);
  }

  /** Calls fn on every submodule (children first), then on this module: for custom initialisation. */
  public Module apply(Consumer<Module> fn) {
    checkOpen();
    for (Module m : children()) m.apply(fn);
    fn.accept(this);
    return this;
  }

  /** Freezes (false) or unfreezes every parameter. */
  public Module requiresGrad(boolean requiresGrad) {
    for (Tensor p : parameters()) p.requiresGrad(requiresGrad);
    return this;
  }

  /** Converts floating-point parameters and buffers (and gradients) to dtype, in place. */
  public Module to(DType dtype) {
    checkOpen();
    if (!dtype.isFloatingPoint()) throw new IllegalArgumentException("Module.to only accepts floating point dtypes, but got " + dtype);
    try (ModeScope g = Autograd.noGrad()) {
      for (Tensor t : allTensors()) {
        if (!t.dtype().isFloatingPoint() || t.dtype() == dtype) continue;
        Tensor grad = t.grad();
        t.setData(t.to(dtype));
        if (grad != null) t.setGrad(grad.to(dtype));
      }
    }
    return this;
  }

  /**
   * Moves parameters and buffers (and their gradients) to device in place: the Tensor objects stay, so an
   * optimizer made before still holds them. Returns this.
   */
  public Module to(Device device) {
    checkOpen();
    try (ModeScope g = Autograd.noGrad()) {
      for (Tensor t : allTensors()) {
        if (t.device().equals(device)) continue;
        Tensor grad = t.grad();
        t.setData(t.to(device));
        if (grad != null) t.setGrad(grad.to(device));
      }
    }
    return this;
  }

  private List<Tensor> allTensors() {
    List<Tensor> all = parameters();
    all.addAll(buffers());
    return all;
  }

  // ---------------------------------------------------------------- state dicts

  /** Parameters and persistent buffers by dotted name, sharing memory with the module. */
  public Map<String, Tensor> stateDict() {
    checkOpen();
    Map<String, Tensor> out = new LinkedHashMap<>();
    stateDict(out, "");
    return out;
  }

  private void stateDict(Map<String, Tensor> out, String prefix) {
    for (Map.Entry<String, Tensor> e : parameters.entrySet())
      if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue().detach());
    for (Map.Entry<String, Tensor> e : buffers.entrySet())
      if (e.getValue() != null && !nonPersistent.contains(e.getKey())) out.put(prefix + e.getKey(), e.getValue().detach());
    for (Map.Entry<String, Module> m : modules.entrySet())
      if (m.getValue() != null) m.getValue().stateDict(out, prefix + m.getKey() + ".");
  }

  /** What loadStateDict could not match (PyTorch's _IncompatibleKeys). */
  public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

  /** loadStateDict(state, true). */
  public LoadResult loadStateDict(Map<String, Tensor> state) {
    return loadStateDict(state, true);
  }

  /**
   * Copies values into this module's parameters and buffers, converting dtypes. Strict: every key must
   * match (missing or unexpected keys raise). A shape mismatch always raises.
   */
  public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
    checkOpen();
    prepareLoad(state, "");
    Map<String, Tensor> own = new LinkedHashMap<>();
    targets(own, "");
    List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), errors = new ArrayList<>();
    for (String key : own.keySet()) if (!state.containsKey(key)) missing.add(key);
    for (String key : state.keySet()) if (!own.containsKey(key)) unexpected.add(key);
    for (Map.Entry<String, Tensor> e : own.entrySet()) {
      Tensor src = state.get(e.getKey());
      if (src == null) continue;
      if (!java.util.Arrays.equals(src.shape(), e.getValue().shape()))
        errors.add("size mismatch for " + e.getKey() + ": copying a param with shape " + torchSize(src.shape())
            + " from checkpoint, the shape in current model is " + torchSize(e.getValue().shape()) + ".");
    }
    if (strict) {
      // PyTorch's wording, trailing spaces included.
      if (!missing.isEmpty()) errors.add(0, "Missing key(s) in state_dict: " + quoted(missing) + ". ");
      if (!unexpected.isEmpty()) errors.add(missing.isEmpty() ? 0 : 1, "Unexpected key(s) in state_dict: " + quoted(unexpected) + ". ");
    }
    if (!errors.isEmpty())
      throw new IllegalArgumentException("Error(s) in loading state_dict for " + name() + ":\n\t" + String.join("\n\t", errors));
    try (ModeScope g = Autograd.noGrad()) {
      for (Map.Entry<String, Tensor> e : own.entrySet()) {
        Tensor src = state.get(e.getKey());
        if (src != null) e.getValue().copy_(src);
      }
    }
    return new LoadResult(missing, unexpected);
  }

  private void prepareLoad(Map<String, Tensor> state, String prefix) {
    beforeLoadStateDict(state, prefix);
    for (Map.Entry<String, Module> m : modules.entrySet())
      if (m.getValue() != null) m.getValue().prepareLoad(state, prefix + m.getKey() + ".");
  }

  /**
   * Called on this module and each submodule before a state dict is loaded, with the keys' prefix for this module:
   * where a module can still take the state's shapes (a lazy module before its first call), it takes them here.
   */
  protected void beforeLoadStateDict(Map<String, Tensor> state, String prefix) {}

  private void targets(Map<String, Tensor> out, String prefix) {
    for (Map.Entry<String, Tensor> e : parameters.entrySet()) if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
    for (Map.Entry<String, Tensor> e : buffers.entrySet())
      if (e.getValue() != null && !nonPersistent.contains(e.getKey())) out.put(prefix + e.getKey(), e.getValue());
    for (Map.Entry<String, Module> m : modules.entrySet()) if (m.getValue() != null) m.getValue().targets(out, prefix + m.getKey() + ".");
  }

  private static String torchSize(long[] shape) {
    StringBuilder sb = new StringBuilder("torch.Size([");
    for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
    return sb.append("])").toString();
  }

  private static String quoted(List<String> keys) {
    List<String> q = new ArrayList<>();
    for (String k : keys) q.add("\"" + k + "\"");
    return String.join(", ", q);
  }

  // ---------------------------------------------------------------- closing

  /**
   * Releases the native memory of this module's parameters and buffers and of its submodules' (shared
   * submodules included); using the module afterwards raises IllegalStateException, closing it again does
   * nothing. Without close, the garbage collector releases them once the module is unreachable.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (Module m : modules.values()) if (m != null) m.close();
    for (Tensor t : parameters.values()) if (t != null) t.close();
    for (Tensor t : buffers.values()) if (t != null) t.close();
  }

  /** Raises if this module was closed; subclasses call it at the top of methods of their own. */
  protected final void checkOpen() {
    if (closed) throw new IllegalStateException(name() + " is closed: its parameters and buffers were released by close()");
  }

  // ---------------------------------------------------------------- printing

  /** The module's settings, printed inside its parentheses (PyTorch's extra_repr). */
  protected String extraRepr() {
    return "";
  }

  /** The class name PyTorch would print ("Parametrized" + it while the module has properties: see registerProperty). */
  protected String name() {
    return (properties.isEmpty() ? "" : "Parametrized") + getClass().getSimpleName();
  }

  /** The module tree as PyTorch prints it. */
  @Override
  public String toString() {
    List<String> extra = extraRepr().isEmpty() ? List.of() : List.of(extraRepr().split("\n"));
    List<String> children = new ArrayList<>();
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      String s = String.valueOf(e.getValue()).replace("\n", "\n  ");
      children.add("(" + e.getKey() + "): " + s);
    }
    StringBuilder sb = new StringBuilder(name()).append('(');
    if (extra.size() == 1 && children.isEmpty()) {
      sb.append(extra.get(0));
    } else if (!extra.isEmpty() || !children.isEmpty()) {
      List<String> lines = new ArrayList<>(extra);
      lines.addAll(children);
      sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
    }
    return sb.append(')').toString();
  }
}
