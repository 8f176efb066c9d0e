package dev.kiln;

/**
 * An error raised by Kiln's native core. The subclasses say what kind of input was wrong; the message
 * names the op and the shapes, dims or dtypes involved, for example
 * {@code mm: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)}.
 */
public class KilnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KilnException(String message) {
    super(message);
  }
}
