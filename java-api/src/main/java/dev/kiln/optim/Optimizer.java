package dev.kiln.optim;

import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The base of the optimizers (torch.optim.Optimizer): parameter groups with their options, per-parameter
 * state, zeroGrad, step, and state dicts. Subclass it for an optimizer of your own: implement step() with
 * tensor ops under {@link Autograd#noGrad()}, keeping what you need in {@link #state(Tensor)}.
 *
 * <pre>{@code
 * Optimizer opt = new Adam(model.parameters(), Map.of("lr", 1e-3, "weight_decay", 1e-4));
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 * }</pre>
 */
public abstract class Optimizer implements AutoCloseable {
  private final Map<String, Object> defaults;
  private final List<ParamGroup> groups = new ArrayList<>();
  private final Map<Tensor, Map<String, Object>> state = new IdentityHashMap<>();
  private boolean closed;

  /** @param defaults every option this optimizer knows, with PyTorch's default values */
  protected Optimizer(Iterable<Tensor> params, Map<String, ?> defaults, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), defaults, options);
  }

  protected Optimizer(List<ParamGroup> paramGroups, Map<String, ?> defaults, Map<String, ?> options) {
    this.defaults = new LinkedHashMap<>(defaults);
    for (String key : options.keySet()) checkOption(key);
    this.defaults.putAll(options);
    if (paramGroups.isEmpty()) throw new IllegalArgumentException(name() + ": got an empty parameter list");
    for (ParamGroup g : paramGroups) addParamGroup(g);
  }

  /** Adds a group; options it does not set take this optimizer's defaults. */
  public void addParamGroup(ParamGroup group) {
    checkOpen();
    for (String key : group.options().keySet()) checkOption(key);
    for (Map.Entry<String, Object> d : defaults.entrySet()) group.options().putIfAbsent(d.getKey(), d.getValue());
    Set<Tensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (ParamGroup g : groups) seen.addAll(g.params());
    for (Tensor p : group.params()) {
      if (!seen.add(p)) throw new IllegalArgumentException(name() + ": some parameters appear in more than one parameter group");
      if (!p.dtype().isFloatingPoint())
        throw new IllegalArgumentException(name() + ": can only optimize floating-point tensors, got " + p.dtype());
    }
    groups.add(group);
  }

  private void checkOption(String key) {
    if (!defaults.containsKey(key))
      throw new IllegalArgumentException(name() + ": unknown option '" + key + "' (known: " + defaults.keySet() + ")");
  }

  public List<ParamGroup> paramGroups() {
    checkOpen();
    return groups;
  }

  /**
   * The state an optimizer keeps for a parameter (created empty on first use). Tensors put in it (also in
   * lists) are taken out of any TensorScope: state made during a step inside a scope outlives it.
   */
  protected Map<String, Object> state(Tensor param) {
    checkOpen();
    return state.computeIfAbsent(param, p -> new StateMap());
  }

  private static final class StateMap extends LinkedHashMap<String, Object> {
    @Override
    public Object put(String key, Object value) {
      return super.put(key, escape(value));
    }

    @Override
    public Object putIfAbsent(String key, Object value) {
      return super.putIfAbsent(key, escape(value));
    }

    @Override
    public void putAll(Map<? extends String, ?> m) {
      for (Map.Entry<? extends String, ?> e : m.entrySet()) put(e.getKey(), e.getValue());
    }

    @Override
    public Object computeIfAbsent(String key, java.util.function.Function<? super String, ?> f) {
      return super.computeIfAbsent(key, k -> escape(f.apply(k)));
    }

    private static Object escape(Object v) {
      if (v instanceof Tensor t) TensorScope.escape(t);
      else if (v instanceof List<?> list) for (Object x : list) escape(x);
      return v;
    }
  }

  /** Clears every parameter's gradient (sets it to null, as PyTorch 2 does by default). */
  public void zeroGrad() {
    zeroGrad(true);
  }

  /** With setToNull false, fills gradients with zeros instead. */
  public void zeroGrad(boolean setToNull) {
    checkOpen();
    for (ParamGroup g : groups)
      for (Tensor p : g.params()) {
        if (setToNull) {
          p.setGrad(null);
        } else {
          Tensor grad = p.grad();
          if (grad != null) grad.zero_();
        }
      }
  }

  /** Updates the parameters from their gradients. */
  public abstract void step();

  /** Re-evaluates the model with closure (with grad mode on), then steps; returns the closure's loss. */
  public Tensor step(Supplier<Tensor> closure) {
    Tensor loss;
    try (ModeScope g = Autograd.enableGrad()) {
      loss = closure.get();
    }
    step();
    return loss;
  }

  /**
   * PyTorch's layout: "state" maps each parameter's index (over all groups, in order) to its state,
   * "param_groups" lists each group's options with "params", the indices of its parameters.
   */
  public Map<String, Object> stateDict() {
    checkOpen();
    Map<String, Object> states = new TreeMap<>();
    List<Map<String, Object>> groupDicts = new ArrayList<>();
    int index = 0;
    for (ParamGroup g : groups) {
      Map<String, Object> gd = new LinkedHashMap<>(g.options());
      List<Integer> ids = new ArrayList<>();
      for (Tensor p : g.params()) {
        Map<String, Object> s = state.get(p);
        if (s != null && !s.isEmpty()) states.put(Integer.toString(index), new LinkedHashMap<>(s));
        ids.add(index++);
      }
      gd.put("params", ids);
      groupDicts.add(gd);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("state", states);
    out.put("param_groups", groupDicts);
    return out;
  }

  /** Restores options and state saved by {@link #stateDict()} (state tensors are copied). */
  @SuppressWarnings("unchecked")
  public void loadStateDict(Map<String, Object> dict) {
    checkOpen();
    List<Map<String, Object>> groupDicts = (List<Map<String, Object>>) dict.get("param_groups");
    Map<String, Object> states = (Map<String, Object>) dict.get("state");
    if (groupDicts == null || states == null) throw new IllegalArgumentException(name() + ": a state dict needs 'state' and 'param_groups'");
    if (groupDicts.size() != groups.size())
      throw new IllegalArgumentException(name() + ": loaded state dict has " + groupDicts.size() + " parameter groups, this optimizer has " + groups.size());
    int index = 0;
    for (int gi = 0; gi < groups.size(); gi++) {
      ParamGroup g = groups.get(gi);
      Map<String, Object> gd = groupDicts.get(gi);
      List<?> ids = (List<?>) gd.get("params");
      if (ids == null || ids.size() != g.params().size())
        throw new IllegalArgumentException(name() + ": loaded group " + gi + " has " + (ids == null ? 0 : ids.size()) + " parameters, this one has " + g.params().size());
      for (Map.Entry<String, Object> e : gd.entrySet()) if (!e.getKey().equals("params")) g.options().put(e.getKey(), e.getValue());
      for (Tensor p : g.params()) {
        Map<String, Object> s = (Map<String, Object>) states.get(Integer.toString(index++));
        state.remove(p);
        if (s == null) continue;
        Map<String, Object> copy = state(p);
        for (Map.Entry<String, Object> e : s.entrySet()) copy.put(e.getKey(), copyState(e.getValue(), p));
      }
    }
  }

  /** A state value to keep: tensors (also in lists, as LBFGS's history) are copied in the parameter's dtype. */
  private static Object copyState(Object v, Tensor param) {
    if (v instanceof Tensor t) {
      try (ModeScope ng = Autograd.noGrad()) {
        return t.to(param.dtype()).clone();
      }
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object x : list) out.add(copyState(x, param));
      return out;
    }
    return v;
  }

  /**
   * Releases the native memory of the optimizer's state (momentum buffers, moment estimates); the parameters
   * stay. Using the optimizer afterwards raises IllegalStateException; closing it again does nothing.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (Map<String, Object> s : state.values()) for (Object v : s.values()) release(v);
    state.clear();
  }

  private static void release(Object v) {
    if (v instanceof Tensor t) t.close();
    else if (v instanceof List<?> list) for (Object x : list) release(x);
  }

  /** Raises if this optimizer was closed (every step goes through paramGroups() and state()). */
  protected final void checkOpen() {
    if (closed) throw new IllegalStateException(name() + " is closed: its state was released by close()");
  }

  protected String name() {
    return getClass().getSimpleName();
  }
}
