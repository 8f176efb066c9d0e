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
import java.nio.file.StandardCopyOption;
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
    // Written beside the target and moved over it in one step: a crash mid-save leaves the old file whole.
    Path dir = path.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + path.getFileName() + ".", ".tmp");
    try {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        writeFully(out, head);
        for (Tensor t : tensors.values()) writeFully(out, bytes(t));
        out.force(true);
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
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
          try {
            for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) metadata.put(m.getKey(), m.getValue().getAsString());
          } catch (RuntimeException bad) {
            throw new IOException(path + ": the safetensors __metadata__ must map strings to strings", bad);
          }
          continue;
        }
        Entry entry = entry(path, e.getKey(), e.getValue(), dataSize);
        ByteBuffer data = ByteBuffer.allocate((int) (entry.end - entry.begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(in, data, dataStart + entry.begin);
        data.flip();
        tensors.put(e.getKey(), tensor(entry.dtype, entry.shape, data));
      }
      return new Contents(tensors, metadata);
    }
  }

  private record Entry(DType dtype, long[] shape, long begin, long end) {}

  /**
   * One tensor's header entry, checked before anything is allocated: a header that lies about sizes or
   * offsets (a corrupted or hostile file) gives an IOException, never a huge allocation or a crash.
   */
  private static Entry entry(Path path, String name, JsonElement json, long dataSize) throws IOException {
    DType dtype;
    long[] shape;
    long begin, end, bytes;
    try {
      JsonObject entry = json.getAsJsonObject();
      dtype = dtype(entry.get("dtype").getAsString(), path);
      JsonArray shapeJson = entry.getAsJsonArray("shape");
      shape = new long[shapeJson.size()];
      long numel = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeJson.get(i).getAsLong();
        if (shape[i] < 0) throw new IOException(path + ": tensor '" + name + "' has a negative size in shape " + shapeJson);
        numel = Math.multiplyExact(numel, shape[i]);
      }
      bytes = Math.multiplyExact(numel, (long) dtype.itemSize());
      JsonArray offsets = entry.getAsJsonArray("data_offsets");
      if (offsets.size() != 2) throw new IOException(path + ": tensor '" + name + "' needs two data_offsets, got " + offsets);
      begin = offsets.get(0).getAsLong();
      end = offsets.get(1).getAsLong();
    } catch (ArithmeticException overflow) {
      throw new IOException(path + ": tensor '" + name + "' has a shape whose size overflows 64 bits", overflow);
    } catch (RuntimeException malformed) {
      throw new IOException(path + ": tensor '" + name + "' has a malformed header entry: " + json, malformed);
    }
    if (begin < 0 || end < begin || end > dataSize || end - begin != bytes)
      throw new IOException(path + ": tensor '" + name + "' has byte range [" + begin + ", " + end + ") for " + bytes + " bytes of "
          + dtype + " in " + dataSize + " bytes of data");
    if (bytes > Integer.MAX_VALUE - 8) throw new IOException(path + ": tensor '" + name + "' is too large to read into Java arrays");
    return new Entry(dtype, shape, begin, end);
  }

  private static String code(DType t) {
    return switch (t) {
      case FLOAT64 -> "F64";
      case FLOAT32 -> "F32";
      case FLOAT16 -> "F16";
      case BFLOAT16 -> "BF16";
      case INT64 -> "I64";
      case INT32 -> "I32";
      case INT16 -> "I16";
      case INT8 -> "I8";
      case UINT8 -> "U8";
      case BOOL -> "BOOL";
    };
  }

  private static DType dtype(String code, Path path) throws IOException {
    for (DType t : DType.values()) if (code(t).equals(code)) return t;
    throw new IOException(path + ": safetensors dtype " + code + " is not supported by Kiln (it has "
        + java.util.Arrays.stream(DType.values()).map(SafeTensors::code).toList() + ")");
  }

  private static ByteBuffer bytes(Tensor t) {
    return ByteBuffer.wrap(t.toBytes()); // Kiln's memory is little-endian, as the format
  }

  private static Tensor tensor(DType t, long[] shape, ByteBuffer data) {
    byte[] raw = new byte[data.remaining()];
    data.get(raw);
    return Tensor.fromBytes(raw, t).reshape(shape); // shape may be [] (0-dim), which fromBytes would read as 1-D
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
