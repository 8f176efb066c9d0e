package dev.kiln;

/** Shapes that do not fit together: broadcasting, matrix products, views, reshapes. */
public class ShapeException extends KilnException {
  private static final long serialVersionUID = 1L;

  public ShapeException(String message) {
    super(message);
  }
}
