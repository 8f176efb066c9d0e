package dev.kiln;

/** A bad argument value: a negative size, an unknown option, data that does not fill the shape. */
public class ArgumentException extends KilnException {
  private static final long serialVersionUID = 1L;

  public ArgumentException(String message) {
    super(message);
  }
}
