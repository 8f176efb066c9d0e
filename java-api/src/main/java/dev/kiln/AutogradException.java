package dev.kiln;

/** A graph that cannot be differentiated as asked (freed graph, modified saved tensor, ...). */
public class AutogradException extends KilnException {
  private static final long serialVersionUID = 1L;

  public AutogradException(String message) {
    super(message);
  }
}
