package dev.kiln;

/**
 * Element types, with PyTorch's names ({@code torch.float16}, ...). The codes are the native core's
 * (kiln::DType) and stable: new dtypes take new codes.
 */
public enum DType {
  BOOL(0, 1),
  INT64(1, 8),
  FLOAT32(2, 4),
  FLOAT64(3, 8),
  INT32(4, 4),
  INT16(5, 2),
  INT8(6, 1),
  UINT8(7, 1),
  /** IEEE half precision; arithmetic computes in float32 and rounds each result to nearest even. */
  FLOAT16(8, 2),
  /** bfloat16 (float32's exponent, 8 bits of significand); computes in float32 like FLOAT16. */
  BFLOAT16(9, 2);

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
    return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
  }

  /** The integer dtypes (not bool): int64, int32, int16, int8, uint8. */
  public boolean isIntegral() {
    return this == INT64 || this == INT32 || this == INT16 || this == INT8 || this == UINT8;
  }

  static DType fromCode(int code) {
    for (DType t : values()) if (t.code == code) return t;
    throw new IllegalArgumentException("unknown dtype code " + code);
  }

  /** The name PyTorch gives the dtype: "float32", "int64", "bool", "bfloat16". */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
