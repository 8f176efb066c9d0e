package dev.kiln.nn;

import java.util.Iterator;
import java.util.List;

/** Submodules in a list, registered so that their parameters are found (torch.nn.ModuleList). */
public class ModuleList extends Module implements Iterable<Module> {
  public ModuleList(Module... modules) {
    for (Module m : modules) add(m);
  }

  public ModuleList(List<? extends Module> modules) {
    for (Module m : modules) add(m);
  }

  public ModuleList add(Module module) {
    registerModule(Integer.toString(size()), module);
    return this;
  }

  public Module get(int index) {
    int i = index < 0 ? index + size() : index;
    if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("index " + index + " is out of range for a ModuleList of " + size());
    return children().get(i);
  }

  public int size() {
    return namedChildren().size();
  }

  @Override
  public Iterator<Module> iterator() {
    return children().iterator();
  }
}
