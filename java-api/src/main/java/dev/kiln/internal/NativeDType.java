package dev.kiln.internal;

/** The native core's dtype codes (kiln::DType); dev.kiln.DType carries the same numbers. */
public final class NativeDType {
  private NativeDType() {}

  public static final int BOOL = 0;
  public static final int INT64 = 1;
  public static final int FLOAT32 = 2;
  public static final int FLOAT64 = 3;
  public static final int INT32 = 4;
  public static final int INT16 = 5;
  public static final int INT8 = 6;
  public static final int UINT8 = 7;
  public static final int FLOAT16 = 8;
  public static final int BFLOAT16 = 9;
}
