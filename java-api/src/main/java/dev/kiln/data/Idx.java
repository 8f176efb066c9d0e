package dev.kiln.data;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * IDX files, the format of MNIST and Fashion-MNIST: a magic number (two zero bytes, a type code, the number
 * of dims), the sizes as big-endian int32s, then the elements big-endian. Reads plain or gzip-compressed
 * files (told apart by their first bytes) into a tensor of the file's type: unsigned bytes become UINT8,
 * signed bytes INT8, shorts INT16, ints INT32, floats FLOAT32 and doubles FLOAT64.
 *
 * <pre>{@code
 * Tensor images = Idx.read(dir.resolve("train-images-idx3-ubyte.gz"));  // uint8 [60000, 28, 28]
 * Tensor labels = Idx.read(dir.resolve("train-labels-idx1-ubyte.gz"));  // uint8 [60000]
 * }</pre>
 */
public final class Idx {
  private Idx() {}

  /** Reads an IDX file, gzip-compressed or not. */
  public static Tensor read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /** Reads IDX data from a stream (gzip-compressed or not); name appears in error messages. */
  public static Tensor read(InputStream raw, String name) throws IOException {
    InputStream buffered = new BufferedInputStream(raw, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read(), b1 = buffered.read();
    buffered.reset();
    InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    DataInputStream data = new DataInputStream(in);
    try {
      int magic = data.readInt();
      if ((magic >>> 16) != 0) throw new IOException(name + ": not an IDX file (magic 0x" + Integer.toHexString(magic) + ")");
      DType dtype = dtypeOf((magic >>> 8) & 0xff, name);
      int dims = magic & 0xff;
      long[] shape = new long[dims];
      long count = 1;
      for (int i = 0; i < dims; i++) {
        int size = data.readInt();
        if (size < 0) throw new IOException(name + ": dim " + i + " has negative size " + size);
        shape[i] = size;
        count = Math.multiplyExact(count, size);
      }
      long bytes = Math.multiplyExact(count, dtype.itemSize());
      if (bytes > Integer.MAX_VALUE - 8) throw new IOException(name + ": " + bytes + " bytes of data are more than one Java array holds");
      byte[] body = data.readNBytes((int) bytes);
      if (body.length != bytes) throw new EOFException(name + ": the header promises " + bytes + " bytes of data, the file has " + body.length);
      return Tensor.fromBytes(littleEndian(body, dtype.itemSize()), dtype).reshape(shape);
    } catch (EOFException e) {
      throw new EOFException(name + ": truncated IDX file");
    }
  }

  /** Writes t as an IDX file (gzip-compressed when the name ends in .gz); UINT8 is the usual type for images. */
  public static void write(Tensor t, Path file) throws IOException {
    int code = codeOf(t.dtype());
    try (OutputStream raw = Files.newOutputStream(file);
        OutputStream out = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw) {
      ByteBuffer head = ByteBuffer.allocate(4 + 4 * t.dim()).order(ByteOrder.BIG_ENDIAN);
      head.putInt(code << 8 | t.dim());
      for (long s : t.shape()) head.putInt(Math.toIntExact(s));
      out.write(head.array());
      out.write(littleEndian(t.toBytes(), t.dtype().itemSize())); // swapping is its own inverse
    }
  }

  private static DType dtypeOf(int code, String name) throws IOException {
    return switch (code) {
      case 0x08 -> DType.UINT8;
      case 0x09 -> DType.INT8;
      case 0x0B -> DType.INT16;
      case 0x0C -> DType.INT32;
      case 0x0D -> DType.FLOAT32;
      case 0x0E -> DType.FLOAT64;
      default -> throw new IOException(name + ": unknown IDX element type 0x" + Integer.toHexString(code));
    };
  }

  private static int codeOf(DType t) {
    return switch (t) {
      case UINT8 -> 0x08;
      case INT8 -> 0x09;
      case INT16 -> 0x0B;
      case INT32 -> 0x0C;
      case FLOAT32 -> 0x0D;
      case FLOAT64 -> 0x0E;
      default -> throw new IllegalArgumentException("Idx.write: IDX has no " + t + " type (uint8, int8, int16, int32, float32, float64)");
    };
  }

  /** Big-endian elements to little-endian (Kiln's memory order), in place. */
  private static byte[] littleEndian(byte[] b, int item) {
    if (item == 1) return b;
    for (int i = 0; i < b.length; i += item)
      for (int lo = i, hi = i + item - 1; lo < hi; lo++, hi--) {
        byte t = b[lo];
        b[lo] = b[hi];
        b[hi] = t;
      }
    return b;
  }
}
