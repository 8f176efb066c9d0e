package dev.kiln.internal;

/** The native core's dtype codes (kiln::DType); dev.kiln.DType carries the same numbers. */
public final class NativeDType {
  private NativeDType() {}

  public static final int BOOL = 0;
  public static final int INT64 = 1;
  public static final int FLOAT32 = 2;
  public static final int FLOAT64 = 3;
}
