package dev.kiln.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.DType;
import dev.kiln.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
 * mapping each name to its dtype, shape and byte range, then the tensors' bytes, row-major and
 * little-endian. PyTorch reads these files with the safetensors package or a few lines of Python
 * (tools/safetensors_torch.py), so weights move between Kiln and PyTorch both ways.
 *
 * <pre>{@code
 * SafeTensors.save(model.stateDict(), Path.of("model.safetensors"));
 * model.loadStateDict(SafeTensors.load(Path.of("model.safetensors")));
 * }</pre>
 */
public final class SafeTensors {
  private SafeTensors() {}

  private static final long MAX_HEADER = 100L << 20;

  /** Writes tensors (in the map's order) with no metadata. */
  public static void save(Map<String, Tensor> tensors, Path path) throws IOException {
    save(tensors, path, Map.of());
  }

  /** Writes tensors and string metadata (the header's "__metadata__"). */
  public static void save(Map<String, Tensor> tensors, Path path, Map<String, String> metadata) throws IOException {
    JsonObject header = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      header.add("__metadata__", meta);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("safetensors: '__metadata__' is not a tensor name");
      Tensor t = e.getValue();
      long bytes = Math.multiplyExact(t.numel(), (long) t.dtype().itemSize());
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", code(t.dtype()));
      JsonArray shape = new JsonArray();
      for (long s : t.shape()) shape.add(s);
      entry.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offsets.add(offset + bytes);
      entry.add("data_offsets", offsets);
      header.add(e.getKey(), entry);
      offset += bytes;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8; // the reference writer pads the header with spaces to 8 bytes
    try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(padded).put(json);
      while (head.hasRemaining()) head.put((byte) ' ');
      head.flip();
      writeFully(out, head);
      for (Tensor t : tensors.values()) writeFully(out, bytes(t));
    }
  }

  /** Reads every tensor, in the header's order. */
  public static Map<String, Tensor> load(Path path) throws IOException {
    return read(path).tensors;
  }

  /** The header's string metadata. */
  public static Map<String, String> metadata(Path path) throws IOException {
    return read(path).metadata;
  }

  record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  static Contents read(Path path) throws IOException {
    try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = in.size();
      if (fileSize < 8) throw new IOException(path + ": not a safetensors file (" + fileSize + " bytes)");
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(in, len, 0);
      long headerSize = len.flip().getLong();
      if (headerSize < 2 || headerSize > MAX_HEADER || 8 + headerSize > fileSize)
        throw new IOException(path + ": invalid safetensors header length " + headerSize);
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerSize);
      readFully(in, headerBytes, 8);
      JsonObject header;
      try {
        header = JsonParser.parseString(new String(headerBytes.array(), StandardCharsets.UTF_8)).getAsJsonObject();
      } catch (RuntimeException e) {
        throw new IOException(path + ": the safetensors header is not a JSON object", e);
      }
      long dataStart = 8 + headerSize, dataSize = fileSize - dataStart;
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : header.entrySet()) {
        if (e.getKey().equals("__metadata__")) {
          for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) metadata.put(m.getKey(), m.getValue().getAsString());
          continue;
        }
        JsonObject entry = e.getValue().getAsJsonObject();
        DType dtype = dtype(entry.get("dtype").getAsString(), path);
        JsonArray shapeJson = entry.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) numel = Math.multiplyExact(numel, shape[i] = shapeJson.get(i).getAsLong());
        JsonArray offsets = entry.getAsJsonArray("data_offsets");
        long begin = offsets.get(0).getAsLong(), end = offsets.get(1).getAsLong();
        if (begin < 0 || end < begin || end > dataSize || end - begin != numel * dtype.itemSize())
          throw new IOException(path + ": tensor '" + e.getKey() + "' has byte range [" + begin + ", " + end + ") for " + numel + " "
              + dtype + " elements in " + dataSize + " bytes of data");
        if (end - begin > Integer.MAX_VALUE - 8) throw new IOException(path + ": tensor '" + e.getKey() + "' is too large to read into Java arrays");
        ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(in, data, dataStart + begin);
        data.flip();
        tensors.put(e.getKey(), tensor(dtype, shape, data));
      }
      return new Contents(tensors, metadata);
    }
  }

  private static String code(DType t) {
    return switch (t) {
      case FLOAT64 -> "F64";
      case FLOAT32 -> "F32";
      case INT64 -> "I64";
      case BOOL -> "BOOL";
    };
  }

  private static DType dtype(String code, Path path) throws IOException {
    return switch (code) {
      case "F64" -> DType.FLOAT64;
      case "F32" -> DType.FLOAT32;
      case "I64" -> DType.INT64;
      case "BOOL" -> DType.BOOL;
      default -> throw new IOException(path + ": safetensors dtype " + code + " is not supported by this build of Kiln");
    };
  }

  private static ByteBuffer bytes(Tensor t) {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.numel() * t.dtype().itemSize())).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.dtype()) {
      case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
      case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
      case INT64 -> b.asLongBuffer().put(t.toLongArray());
      case BOOL -> {
        for (boolean v : t.toBooleanArray()) b.put((byte) (v ? 1 : 0));
        b.flip();
      }
    }
    return b;
  }

  private static Tensor tensor(DType t, long[] shape, ByteBuffer data) {
    long[] s = shape.length == 0 ? new long[0] : shape;
    Tensor flat = switch (t) {
      case FLOAT64 -> {
        double[] v = new double[data.remaining() / 8];
        data.asDoubleBuffer().get(v);
        yield Tensor.of(v);
      }
      case FLOAT32 -> {
        float[] v = new float[data.remaining() / 4];
        data.asFloatBuffer().get(v);
        yield Tensor.of(v);
      }
      case INT64 -> {
        long[] v = new long[data.remaining() / 8];
        data.asLongBuffer().get(v);
        yield Tensor.of(v);
      }
      case BOOL -> {
        boolean[] v = new boolean[data.remaining()];
        for (int i = 0; i < v.length; i++) v[i] = data.get(i) != 0;
        yield Tensor.of(v);
      }
    };
    return flat.reshape(s);
  }

  private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) out.write(b);
  }

  private static void readFully(FileChannel in, ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      int n = in.read(b, position);
      if (n < 0) throw new IOException("safetensors: unexpected end of file");
      position += n;
    }
  }
}
