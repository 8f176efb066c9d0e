package dev.kiln;

/**
 * Where a tensor's memory lives: {@code Device.CPU}, or {@code Device.cuda(0)} in builds with CUDA.
 *
 * @param type the kind of device
 * @param index which device of that kind (0 for the CPU)
 */
public record Device(Type type, int index) {
  public enum Type {
    CPU,
    CUDA
  }

  public static final Device CPU = new Device(Type.CPU, 0);

  public Device {
    if (index < 0) throw new IllegalArgumentException("device index must be non-negative, got " + index);
  }

  public static Device cuda(int index) {
    return new Device(Type.CUDA, index);
  }

  /** "cpu", "cuda" (device 0) or "cuda:N", as torch.device parses them. */
  public static Device parse(String name) {
    String s = name.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("cpu")) return CPU;
    if (s.equals("cuda")) return cuda(0);
    if (s.startsWith("cuda:")) {
      try {
        return cuda(Integer.parseInt(s.substring(5)));
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new IllegalArgumentException("Expected one of cpu, cuda device type at start of device string: " + name);
  }

  static Device fromNative(int type, int index) {
    return type == 0 ? CPU : new Device(Type.CUDA, index);
  }

  /** "cpu" or "cuda:0", as PyTorch prints devices. */
  @Override
  public String toString() {
    return type == Type.CPU ? "cpu" : "cuda:" + index;
  }
}
