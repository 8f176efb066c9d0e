package dev.kiln.distributions;

import dev.kiln.ArgumentException;

/**
 * A distribution's parameter outside its constraint, or a value outside its support (PyTorch's ValueError
 * from {@code validate_args}), for example {@code Expected parameter scale (Tensor of shape (2,)) of
 * distribution Normal(loc: torch.Size([2]), scale: torch.Size([2])) to satisfy the constraint
 * GreaterThan(lower_bound=0.0), but found invalid values: ...}.
 */
public class ConstraintViolationException extends ArgumentException {
  private static final long serialVersionUID = 1L;

  public ConstraintViolationException(String message) {
    super(message);
  }
}
