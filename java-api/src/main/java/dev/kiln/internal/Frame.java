package dev.kiln.internal;

/**
 * Packs the arguments of a generic native call into one array: [n, tensor handles..., n, ints..., n,
 * reals as IEEE bits...], so a call with any arguments crosses JNI as a single long[].
 */
public final class Frame {
  private Frame() {}

  public static long[] of(long[] tensors, long[] ints, double... reals) {
    long[] f = new long[3 + tensors.length + ints.length + reals.length];
    int p = 0;
    f[p++] = tensors.length;
    for (long t : tensors) f[p++] = t;
    f[p++] = ints.length;
    for (long i : ints) f[p++] = i;
    f[p++] = reals.length;
    for (double r : reals) f[p++] = Double.doubleToRawLongBits(r);
    return f;
  }

  public static long[] tensors(long... tensors) {
    return of(tensors, new long[0]);
  }

  /** ints followed by more ints (for [dtype, sizes...] and similar). */
  public static long[] concat(long[] head, long... tail) {
    long[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  public static long[] ints(int... values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
}
