package dev.kiln;

/** A device that is not available, or tensors on different devices in one op. */
public class DeviceException extends KilnException {
  private static final long serialVersionUID = 1L;

  public DeviceException(String message) {
    super(message);
  }
}
