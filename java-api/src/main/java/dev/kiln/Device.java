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

  static Device fromNative(int type, int index) {
    return type == 0 ? CPU : new Device(Type.CUDA, index);
  }

  /** "cpu" or "cuda:0", as PyTorch prints devices. */
  @Override
  public String toString() {
    return type == Type.CPU ? "cpu" : "cuda:" + index;
  }
}
