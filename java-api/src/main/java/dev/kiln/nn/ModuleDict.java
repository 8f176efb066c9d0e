package dev.kiln.nn;

import java.util.Map;
import java.util.Set;

/** Submodules by name, registered so that their parameters are found (torch.nn.ModuleDict). */
public class ModuleDict extends Module {
  public ModuleDict() {}

  public ModuleDict(Map<String, ? extends Module> modules) {
    for (Map.Entry<String, ? extends Module> e : modules.entrySet()) put(e.getKey(), e.getValue());
  }

  public ModuleDict put(String name, Module module) {
    registerModule(name, module);
    return this;
  }

  public Module get(String name) {
    Module m = namedChildren().get(name);
    if (m == null) throw new IllegalArgumentException("no module named '" + name + "' in this ModuleDict");
    return m;
  }

  public Set<String> keys() {
    return namedChildren().keySet();
  }

  public int size() {
    return namedChildren().size();
  }
}
