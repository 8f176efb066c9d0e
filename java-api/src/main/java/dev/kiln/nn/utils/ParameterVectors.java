package dev.kiln.nn.utils;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;

/**
 * All parameters as one flat vector and back (torch.nn.utils.parameters_to_vector and
 * vector_to_parameters): for optimizers that see the model as one vector, such as LBFGS.
 */
public final class ParameterVectors {
  private ParameterVectors() {}

  /** The parameters' values, flattened and concatenated in order (a copy, with no history). */
  public static Tensor parametersToVector(Iterable<Tensor> parameters) {
    long n = 0;
    dev.kiln.DType dtype = null;
    for (Tensor p : parameters) {
      n += p.numel();
      if (dtype == null) dtype = p.dtype();
      else if (dtype != p.dtype()) throw new IllegalArgumentException("parametersToVector: parameters have different dtypes: " + dtype + " and " + p.dtype());
    }
    Tensor vec = Tensor.empty(dtype == null ? dev.kiln.DType.FLOAT32 : dtype, n);
    long offset = 0;
    try (ModeScope g = Autograd.noGrad()) {
      for (Tensor p : parameters) {
        vec.narrow(0, offset, p.numel()).copy_(p.reshape(-1));
        offset += p.numel();
      }
    }
    return vec;
  }

  /** Copies consecutive slices of vec into the parameters (in place, keeping them the same tensors). */
  public static void vectorToParameters(Tensor vec, Iterable<Tensor> parameters) {
    if (vec.dim() != 1) throw new IllegalArgumentException("vectorToParameters: expected a 1-D vector, got shape " + java.util.Arrays.toString(vec.shape()));
    long offset = 0;
    try (ModeScope g = Autograd.noGrad()) {
      for (Tensor p : parameters) {
        if (offset + p.numel() > vec.numel())
          throw new IllegalArgumentException("vectorToParameters: the vector has " + vec.numel() + " elements, fewer than the parameters need");
        p.copy_(vec.narrow(0, offset, p.numel()).view(p.shape()));
        offset += p.numel();
      }
    }
    if (offset != vec.numel())
      throw new IllegalArgumentException("vectorToParameters: the vector has " + vec.numel() + " elements, the parameters " + offset);
  }
}
