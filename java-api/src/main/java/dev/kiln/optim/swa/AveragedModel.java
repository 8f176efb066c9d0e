package dev.kiln.optim.swa;

import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.LayerClones;
import dev.kiln.nn.Module;
import java.util.List;
import java.util.function.Supplier;

/**
 * A running average of a model's parameters (torch.optim.swa_utils.AveragedModel, for stochastic weight averaging):
 * it holds a copy of the model as its submodule "module" and the count of models averaged as its buffer
 * "n_averaged", so that its state dict has PyTorch's keys ("n_averaged", "module.0.weight", ...). Calling it runs
 * the copy. Java has no deepcopy: the copy is a module that {@code fresh} builds with the model's structure, which
 * takes the model's parameters, buffers, requiresGrad flags and modes.
 *
 * <pre>{@code
 * var swaModel = new AveragedModel<>(model, () -> new Net());
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *   train(model);
 *   if (epoch > swaStart) swaModel.updateParameters(model);
 * }
 * BatchNormStats.updateBn(loader, swaModel);
 * }</pre>
 */
public class AveragedModel<M extends Module> extends Module {
  /**
   * An averaging function (PyTorch's avg_fn): the new average from the current average, the model's value and the
   * number of models averaged so far (an int64 scalar tensor), as a new tensor.
   */
  @FunctionalInterface
  public interface AvgFn {
    Tensor apply(Tensor averaged, Tensor current, Tensor numAveraged);
  }

  /** PyTorch's default: the equally weighted mean, averaged + (current - averaged) / (n + 1). */
  public static final AvgFn RUNNING_MEAN = (averaged, current, n) -> averaged.add(current.sub(averaged).div(n.add(1L)));

  private final M module;
  private final Tensor nAveraged;
  private final AvgFn avgFn;
  private final boolean useBuffers;

  /** The equally weighted average of the parameters. */
  public AveragedModel(M model, Supplier<? extends M> fresh) {
    this(model, fresh, null, false);
  }

  /**
   * @param fresh builds a module of the model's structure (its constructor), which becomes the copy
   * @param avgFn the averaging function, or null for {@link #RUNNING_MEAN}
   * @param useBuffers average the buffers too (running statistics included), not only the parameters
   */
  public AveragedModel(M model, Supplier<? extends M> fresh, AvgFn avgFn, boolean useBuffers) {
    M copy = fresh.get();
    if (copy == model) throw new IllegalArgumentException("AveragedModel: fresh must build a new module, not return the model");
    this.module = registerModule("module", LayerClones.copyState(model, copy));
    this.nAveraged = registerBuffer("n_averaged", Tensor.scalar(0L));
    this.avgFn = avgFn != null ? avgFn : RUNNING_MEAN;
    this.useBuffers = useBuffers;
  }

  /** The averaged copy of the model. */
  public M module() {
    return module;
  }

  /** How many models have been averaged (n_averaged). */
  public long nAveraged() {
    return nAveraged.itemLong();
  }

  /** Runs the averaged copy. */
  @Override
  public Tensor forward(Tensor input) {
    return module.call(input);
  }

  /**
   * Averages model's parameters (and buffers, with useBuffers) into this one's, pairing them in order as PyTorch's
   * zip does; the first update copies them.
   */
  public void updateParameters(Module model) {
    checkOpen();
    List<Tensor> mine = useBuffers ? concat(module.parameters(), module.buffers()) : parameters();
    List<Tensor> theirs = useBuffers ? concat(model.parameters(), model.buffers()) : model.parameters();
    try (ModeScope g = Autograd.noGrad(); TensorScope scope = TensorScope.open()) {
      boolean first = nAveraged.itemLong() == 0;
      for (int i = 0; i < Math.min(mine.size(), theirs.size()); i++) {
        Tensor averaged = mine.get(i).detach(), current = theirs.get(i).detach();
        averaged.copy_(first ? current : avgFn.apply(averaged, current, nAveraged));
      }
      nAveraged.add_(1L);
    }
  }

  private static List<Tensor> concat(List<Tensor> a, List<Tensor> b) {
    a.addAll(b);
    return a;
  }
}
