package dev.kiln.nn;

import dev.kiln.Tensor;

/** Runs before a module's forward: returns replacement inputs, or null to keep them. */
@FunctionalInterface
public interface ForwardPreHook {
  Tensor[] apply(Module module, Tensor[] inputs);
}
