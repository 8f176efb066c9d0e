package dev.kiln.nn;

import dev.kiln.Tensor;
import java.util.Map;

/**
 * Modules applied in order, each to the previous one's output (torch.nn.Sequential). Children are named
 * "0", "1", ... unless given names.
 *
 * <pre>{@code
 * Module mlp = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * }</pre>
 */
public class Sequential extends Module {
  public Sequential(Module... modules) {
    for (Module m : modules) add(m);
  }

  /** Children under the given names, in the map's order. */
  public Sequential(Map<String, ? extends Module> modules) {
    for (Map.Entry<String, ? extends Module> e : modules.entrySet()) registerModule(e.getKey(), e.getValue());
  }

  /** Appends a module; returns this. */
  public Sequential add(Module module) {
    registerModule(Integer.toString(size()), module);
    return this;
  }

  public Module get(int index) {
    int i = index < 0 ? index + size() : index;
    if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("index " + index + " is out of range for a Sequential of " + size());
    return children().get(i);
  }

  public int size() {
    return namedChildren().size();
  }

  @Override
  public Tensor forward(Tensor input) {
    Tensor x = input;
    for (Module m : children()) x = m.call(x);
    return x;
  }
}
