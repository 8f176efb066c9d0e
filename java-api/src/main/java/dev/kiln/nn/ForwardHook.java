package dev.kiln.nn;

import dev.kiln.Tensor;

/** Runs after a module's forward: returns a replacement output, or null to keep it. */
@FunctionalInterface
public interface ForwardHook {
  Object apply(Module module, Tensor[] inputs, Object output);
}
