package dev.kiln;

/** Element types. The codes are the native core's (kiln::DType). */
public enum DType {
  BOOL(0, 1),
  INT64(1, 8),
  FLOAT32(2, 4),
  FLOAT64(3, 8);

  private final int code;
  private final int itemSize;

  DType(int code, int itemSize) {
    this.code = code;
    this.itemSize = itemSize;
  }

  /** The native core's number for this dtype. */
  public int code() {
    return code;
  }

  /** Bytes per element. */
  public int itemSize() {
    return itemSize;
  }

  public boolean isFloatingPoint() {
    return this == FLOAT32 || this == FLOAT64;
  }

  static DType fromCode(int code) {
    for (DType t : values()) if (t.code == code) return t;
    throw new IllegalArgumentException("unknown dtype code " + code);
  }

  /** The name PyTorch gives the dtype: "float32", "int64", "bool". */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
