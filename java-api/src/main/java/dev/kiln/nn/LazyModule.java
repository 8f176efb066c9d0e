package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A module whose input size comes from its first input (PyTorch's LazyModuleMixin: LazyLinear, LazyConv2d, ...).
 * Until then its parameters and buffers are placeholders (empty, PyTorch's UninitializedParameter) registered under
 * their final names, so that an optimizer or a state dict can take them; the first call, or loading a state dict
 * that holds them, builds the module it stands for (M) with those same tensor objects as M's parameters, now shaped
 * and initialised as M initialises them. From then on it runs M's forward and prints as M, as PyTorch's lazy
 * modules turn into their classes.
 */
public abstract class LazyModule<M extends Module> extends Module {
  private final Map<String, Tensor> slots = new LinkedHashMap<>();
  private M module;

  /** A placeholder parameter under name (null when absent: bias=False). */
  protected final Tensor lazyParameter(String name, boolean present) {
    return slot(name, registerParameter(name, present ? Tensor.empty(DType.FLOAT32, 0) : null));
  }

  /** A placeholder buffer under name, holding initial until the module is built (null: absent). */
  protected final Tensor lazyBuffer(String name, Tensor initial) {
    return slot(name, registerBuffer(name, initial));
  }

  private Tensor slot(String name, Tensor t) {
    if (t != null) slots.put(name, t);
    return t;
  }

  /** The size to build with, from the first input (in_features, in_channels or num_features). */
  protected abstract int inferSize(Tensor input);

  /** The size that a state dict's tensor of this module (name without its prefix) implies, or -1 for none. */
  protected abstract int sizeFromState(String name, Tensor t);

  /** The module this one becomes, built with the size given. */
  protected abstract M build(int size);

  /** Whether the sizes are still unknown (PyTorch's has_uninitialized_params). */
  public final boolean hasUninitializedParams() {
    return module == null;
  }

  /** The module this one became; IllegalStateException before the first call. */
  public final M materialized() {
    if (module == null)
      throw new IllegalStateException(name() + " has not been called yet: its sizes are unknown until its first input");
    return module;
  }

  /** Builds the module now with the size given, as the first call would; returns it. */
  public final M materialize(int size) {
    if (module != null) throw new IllegalStateException(name() + " is already materialized");
    module = buildInto(slots, () -> build(size));
    return module;
  }

  @Override
  public Tensor forward(Tensor input) {
    if (module == null) materialize(inferSize(input));
    module.train(isTraining());
    return module.forward(input);
  }

  @Override
  protected void beforeLoadStateDict(Map<String, Tensor> state, String prefix) {
    if (module != null) return;
    for (String name : slots.keySet()) {
      Tensor t = state.get(prefix + name);
      int size = t == null ? -1 : sizeFromState(name, t);
      if (size >= 0) {
        materialize(size);
        return;
      }
    }
  }

  @Override
  public String toString() {
    return module == null ? super.toString() : module.toString();
  }
}
