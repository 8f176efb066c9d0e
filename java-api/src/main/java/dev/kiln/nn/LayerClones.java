package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Copies of a layer as PyTorch's copy.deepcopy makes them for TransformerEncoder and TransformerDecoder (and for
 * AveragedModel, torch.optim.swa_utils): a fresh layer of the same settings that takes the original's parameter and
 * buffer values (and dtypes), requiresGrad flags and train/eval modes, and shares no memory with it. Forward hooks
 * are not copied.
 */
public final class LayerClones {
  private LayerClones() {}

  /**
   * Gives copy the state of original; both must have the same structure (copy was built like original).
   * {@code LayerClones.copyState(net, new Net())} is a deep copy of net.
   */
  public static <M extends Module> M copyState(Module original, M copy) {
    try (ModeScope g = Autograd.noGrad()) {
      copyTensors(original.namedParameters(), copy.namedParameters());
      copyTensors(original.namedBuffers(), copy.namedBuffers());
    }
    Map<String, Module> from = original.namedModules(), to = copy.namedModules();
    for (Map.Entry<String, Module> e : from.entrySet()) to.get(e.getKey()).train(e.getValue().isTraining());
    return copy;
  }

  private static void copyTensors(Map<String, Tensor> from, Map<String, Tensor> to) {
    if (!from.keySet().equals(to.keySet()))
      throw new IllegalStateException("a module's copy has tensors " + to.keySet() + ", the module " + from.keySet());
    for (Map.Entry<String, Tensor> e : from.entrySet()) {
      Tensor target = to.get(e.getKey());
      try (Tensor detached = e.getValue().detach(); Tensor value = detached.clone()) {
        target.setData(value); // the target keeps its own reference to the new memory
      }
      target.requiresGrad(e.getValue().requiresGrad());
    }
  }

  /** n independent copies of layer (the layer itself is not among them, as in PyTorch). */
  static <M extends Module> List<M> clones(M layer, int n, UnaryOperator<M> copy) {
    List<M> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(copy.apply(layer));
    return out;
  }
}
