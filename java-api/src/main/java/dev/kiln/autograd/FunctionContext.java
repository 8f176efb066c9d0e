package dev.kiln.autograd;

import dev.kiln.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * What a custom {@link Function} keeps between its forward and its backward (PyTorch's {@code ctx}):
 * tensors saved for backward, checked against in-place modification like the core's own, and any other
 * values by name.
 */
public final class FunctionContext {
  private final boolean[] needsInputGrad;
  private Tensor[] toSave = new Tensor[0];
  private Tensor[] saved;
  private final Map<String, Object> values = new HashMap<>();

  FunctionContext(boolean[] needsInputGrad) {
    this.needsInputGrad = needsInputGrad;
  }

  /** Saves tensors (inputs or outputs of forward) for backward; call it in forward. */
  public void saveForBackward(Tensor... tensors) {
    toSave = tensors.clone();
  }

  /** The tensors saved in forward, in the same order; call it in backward. */
  public Tensor[] savedTensors() {
    if (saved == null) throw new IllegalStateException("savedTensors() is available in backward only");
    return saved.clone();
  }

  /** Whether input i needs a gradient: backward may return null for the others. */
  public boolean needsInputGrad(int i) {
    return needsInputGrad[i];
  }

  /** Keeps a non-tensor value for backward. */
  public void put(String name, Object value) {
    values.put(name, value);
  }

  @SuppressWarnings("unchecked")
  public <T> T get(String name) {
    return (T) values.get(name);
  }

  Tensor[] takeToSave() {
    Tensor[] t = toSave;
    toSave = new Tensor[0];
    return t;
  }

  void setSaved(Tensor[] saved) {
    this.saved = saved;
  }
}
