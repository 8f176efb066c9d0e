package dev.kiln.nn.utils;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Module;
import dev.kiln.nn.ModuleList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parametrizations of one tensor and the unconstrained tensor(s) they start from
 * (torch.nn.utils.parametrize.ParametrizationList): {@code module.parametrizations.<name>}, made by
 * {@link Parametrize#registerParametrization}. It keeps the original as "original" (a parameter if the tensor was
 * one, else a buffer), or as "original0", "original1", ... when the first parametrization is a
 * {@link MultiTensorParametrization}; its value ({@link #call()}) is the parametrizations applied in turn, the
 * first to the original(s).
 */
public final class ParametrizationList extends ModuleList {
  private final boolean isTensor;
  private final int ntensors;
  private boolean unsafe;
  /** The tensor that was parametrized; removing a parametrization by several tensors gives its value back here. */
  final Tensor unparametrized;
  final boolean wasParameter;

  /**
   * Starts the original(s) at the first parametrization's right inverse of original (original itself, its values
   * replaced, when that is one tensor: references to it, an optimizer's say, stay valid) and, unless unsafe, checks
   * that the parametrized value keeps the tensor's dtype and shape.
   */
  ParametrizationList(Module parametrization, Tensor original, boolean isParameter, boolean unsafe) {
    super(parametrization);
    this.unsafe = unsafe;
    this.unparametrized = original;
    this.wasParameter = isParameter;
    long[] originalShape = original.shape();
    Object inverse = original;
    try (ModeScope g = Autograd.noGrad()) {
      if (parametrization instanceof MultiTensorParametrization m) inverse = m.rightInverse(original);
      else if (parametrization instanceof RightInverse r) inverse = r.rightInverse(original);
    } catch (UnsupportedOperationException notImplemented) {
      inverse = original; // no right inverse after all: the identity, as PyTorch takes NotImplementedError
    }
    if (inverse == null)
      throw new IllegalArgumentException("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got NoneType");
    isTensor = inverse instanceof Tensor;
    if (isTensor) {
      Tensor value = (Tensor) inverse;
      if (value.dtype() != original.dtype())
        throw new IllegalArgumentException("When `right_inverse` outputs one tensor, it may not change the dtype.\n"
            + "original.dtype: " + Parametrize.torchName(original.dtype()) + "\n"
            + "right_inverse(original).dtype: " + Parametrize.torchName(value.dtype()));
      if (value != original) {
        try (ModeScope g = Autograd.noGrad()) {
          original.setData(value);
        }
      }
      ntensors = 1;
      register("original", original, isParameter, original.requiresGrad());
    } else {
      List<?> values = (List<?>) inverse;
      ntensors = values.size();
      for (int i = 0; i < ntensors; i++) {
        if (!(values.get(i) instanceof Tensor t))
          throw new IllegalArgumentException("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
              + "Got element " + i + " of the sequence with type NoneType.");
        // a new leaf of that value (PyTorch's Parameter(originali)), requiring grad as the original did
        register("original" + i, t.detach(), isParameter, original.requiresGrad());
      }
    }
    if (!unsafe) {
      Tensor z = call();
      if (z.dtype() != original.dtype())
        throw new IllegalArgumentException("Registering a parametrization may not change the dtype of the tensor, unless `unsafe` flag is enabled.\n"
            + "unparametrized dtype: " + Parametrize.torchName(original.dtype()) + "\n"
            + "parametrized dtype: " + Parametrize.torchName(z.dtype()));
      if (!Arrays.equals(z.shape(), originalShape))
        throw new IllegalArgumentException("Registering a parametrization may not change the shape of the tensor, unless `unsafe` flag is enabled.\n"
            + "unparametrized shape: " + Parametrize.torchSize(originalShape) + "\n"
            + "parametrized shape: " + Parametrize.torchSize(z.shape()));
    }
  }

  /** Registers t as a parameter or a buffer, keeping requiresGrad as given (registering a parameter turns it on). */
  private void register(String name, Tensor t, boolean parameter, boolean requiresGrad) {
    if (parameter) {
      registerParameter(name, t);
      if (!requiresGrad) t.requiresGrad(false);
    } else {
      registerBuffer(name, t.requiresGrad() == requiresGrad ? t : t.detach().requiresGrad(requiresGrad));
    }
  }

  /** Whether the original is one tensor ("original") rather than several ("original0", ...). */
  public boolean isTensor() {
    return isTensor;
  }

  /** How many originals there are: 1 for "original". */
  public int ntensors() {
    return ntensors;
  }

  /** Whether the parametrizations may change the tensor's dtype and shape (they are not checked). */
  public boolean unsafe() {
    return unsafe;
  }

  void addUnsafe(boolean more) {
    unsafe |= more;
  }

  /** The original tensor ({@code parametrizations.weight.original}); only when it is one tensor. */
  public Tensor original() {
    if (!isTensor) throw new IllegalArgumentException("'ParametrizationList' object has no attribute 'original': the originals are original0.."
        + "original" + (ntensors - 1));
    return tensor("original");
  }

  /** Original i ({@code parametrizations.weight.original0}, ...); only when there are several. */
  public Tensor original(int i) {
    return tensor("original" + i);
  }

  /** The parametrized value with the forward hooks (PyTorch's {@code parametrizations.weight()}). */
  public Tensor call() {
    return callWithHooks(new Tensor[0], in -> forward());
  }

  /** The parametrizations applied in turn, the first to the original(s). */
  public Tensor forward() {
    Module first = get(0);
    Tensor x;
    if (first instanceof MultiTensorParametrization m) {
      List<Tensor> originals = new ArrayList<>();
      if (isTensor) originals.add(tensor("original"));
      else for (int i = 0; i < ntensors; i++) originals.add(tensor("original" + i));
      x = m.call(originals);
    } else {
      x = first.call(tensor("original"));
    }
    for (int i = 1; i < size(); i++) x = get(i).call(x);
    return x;
  }

  /**
   * Sets the original(s) so that the parametrizations give value: each parametrization's right inverse, last to
   * first, without recording gradients (PyTorch's {@code ParametrizationList.right_inverse}, which
   * {@code module.weight = value} calls).
   */
  public void rightInverse(Tensor value) {
    try (ModeScope g = Autograd.noGrad()) {
      Object v = value;
      for (int i = size() - 1; i >= 0; i--) {
        Module p = get(i);
        if (p instanceof MultiTensorParametrization m) v = m.rightInverse((Tensor) v);
        else if (p instanceof RightInverse r) v = r.rightInverse((Tensor) v);
        else throw new IllegalStateException("parametrization " + p.getClass().getSimpleName() + " does not implement right_inverse.");
      }
      if (isTensor) {
        if (!(v instanceof Tensor t)) throw new IllegalArgumentException("`right_inverse` should return a tensor. Got list");
        Tensor original = tensor("original");
        if (t.dtype() != original.dtype())
          throw new IllegalArgumentException("The tensor returned by `right_inverse` has dtype " + Parametrize.torchName(t.dtype())
              + " while `original` has dtype " + Parametrize.torchName(original.dtype()));
        if (t != original) original.setData(t);
      } else {
        if (!(v instanceof List<?> values)) throw new IllegalArgumentException("'right_inverse' must return a sequence of tensors. Got Tensor.");
        if (values.size() != ntensors)
          throw new IllegalArgumentException("'right_inverse' must return a sequence of tensors of length " + ntensors
              + ". Got a sequence of lenght " + values.size() + "."); // sic, PyTorch's spelling
        for (int i = 0; i < ntensors; i++) {
          Tensor original = tensor("original" + i);
          if (!(values.get(i) instanceof Tensor t))
            throw new IllegalArgumentException("`right_inverse` must return a sequence of tensors. Got element " + i + " of type NoneType");
          if (t.dtype() != original.dtype())
            throw new IllegalArgumentException("Tensor " + i + " returned by `right_inverse` has dtype " + Parametrize.torchName(t.dtype())
                + " while `original" + i + "` has dtype " + Parametrize.torchName(original.dtype()));
          if (t != original) original.setData(t);
        }
      }
    }
  }
}
