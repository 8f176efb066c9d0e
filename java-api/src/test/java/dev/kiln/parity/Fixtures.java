package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.kiln.DType;
import dev.kiln.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the PyTorch parity fixtures (src/test/resources/fixtures/*.json, written by
 * tools/fixtures/generate_fixtures.py, whose header describes the format) and builds their input tensors.
 */
final class Fixtures {
  private Fixtures() {}

  /** The op families, one file each; "grads" holds gradient cases, and so do linalg, conv and pooling (their own). */
  static final List<String> FAMILIES =
      List.of("creation", "elementwise", "comparison", "reduction", "views", "matmul", "printing", "errors", "grads",
          "activations", "random", "indexing", "grads_indexing", "dtypes", "math", "math_grads", "stats", "softmax_scans",
          "sorting", "reduction_grads", "linalg", "conv", "pooling", "norm", "losses");

  /** One case: an op, its inputs and arguments, and what PyTorch made of them (for a gradient case, in grad). */
  record Case(String family, String name, String op, List<TensorSpec> inputs, Args args, List<TensorSpec> expected,
      String expectedStr, JsonObject error, Boolean sharesInput, TensorSpec baseAfter, Grad grad) {
    @Override
    public String toString() {
      return family + "/" + name;
    }
  }

  /**
   * What a gradient case adds: how each input is made, the steps run on the op's output, the seed of backward
   * (null: backward() on a one-element output), the grad PyTorch gave each input's leaf (null: None) and the
   * output's grad_fn name (null: none).
   */
  record Grad(List<GradInput> inputs, List<Step> then, TensorSpec gradOutput, List<TensorSpec> grads, String gradFn) {}

  /**
   * The leaf (the input's base) requires grad or not; after the views the input is multiplied by times (when
   * given), or it is input sameAs itself.
   */
  record GradInput(boolean requiresGrad, Double times, Integer sameAs) {}

  /** An op run on the previous output alone: y.tanh_() after y.add_(z). */
  record Step(String op, Args args) {}

  /**
   * A tensor as the fixtures write it: its data, or for large inputs a pattern [mul, mod, div, offset] giving
   * element i as ((i * mul) % mod) / div + offset. Views (inputs only) turn the described base into the input.
   */
  record TensorSpec(DType dtype, long[] shape, JsonArray data, double[] pattern, long[] stride, JsonArray views) {
    int numel() {
      long n = 1;
      for (long s : shape) n *= s;
      return Math.toIntExact(n);
    }

    double[] doubles() {
      double[] out = new double[numel()];
      for (int i = 0; i < out.length; i++) out[i] = data != null ? number(data.get(i)) : patternValue(i) / pattern[2] + pattern[3];
      return out;
    }

    long[] longs() {
      long[] out = new long[numel()];
      for (int i = 0; i < out.length; i++) out[i] = data != null ? data.get(i).getAsLong() : patternValue(i) + (long) pattern[3];
      return out;
    }

    private long patternValue(long i) {
      return i * (long) pattern[0] % (long) pattern[1];
    }

    boolean[] booleans() {
      boolean[] out = new boolean[numel()];
      for (int i = 0; i < out.length; i++) out[i] = data.get(i).getAsBoolean();
      return out;
    }
  }

  /** An input tensor and the base it is a view of (the same tensor when it has no views). */
  record Input(Tensor base, Tensor tensor) {}

  /** A scalar argument with its Java type: "int" (long), "float" (double) or "bool". */
  record Scalar(String kind, JsonPrimitive value) {
    boolean isInt() {
      return kind.equals("int");
    }

    boolean isFloat() {
      return kind.equals("float");
    }

    boolean isBool() {
      return kind.equals("bool");
    }

    long asLong() {
      return value.getAsLong();
    }

    double asDouble() {
      return number(value);
    }

    boolean asBoolean() {
      return value.getAsBoolean();
    }
  }

  /** A case's arguments; it remembers which were read, so that an argument Java ignores fails the case. */
  static final class Args {
    private final JsonObject json;
    private final Set<String> read = new HashSet<>();

    Args(JsonObject json) {
      this.json = json;
    }

    boolean has(String key) {
      return json.has(key);
    }

    private JsonElement get(String key) {
      if (!json.has(key)) fail("missing argument '" + key + "'");
      read.add(key);
      return json.get(key);
    }

    int integer(String key) {
      return get(key).getAsInt();
    }

    long longValue(String key) {
      return get(key).getAsLong();
    }

    boolean bool(String key, boolean otherwise) {
      return has(key) ? get(key).getAsBoolean() : otherwise;
    }

    /** A string argument (gelu's approximate). */
    String string(String key) {
      return get(key).getAsString();
    }

    /** A list of numbers as doubles; a single number counts as a list of one. */
    double[] doubles(String key) {
      JsonElement e = get(key);
      if (!e.isJsonArray()) return new double[] {Fixtures.number(e)};
      JsonArray a = e.getAsJsonArray();
      double[] out = new double[a.size()];
      for (int i = 0; i < out.length; i++) out[i] = Fixtures.number(a.get(i));
      return out;
    }

    /** A list of ints; a single number counts as a list of one. */
    int[] ints(String key) {
      JsonElement e = get(key);
      if (!e.isJsonArray()) return new int[] {e.getAsInt()};
      JsonArray a = e.getAsJsonArray();
      int[] out = new int[a.size()];
      for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
      return out;
    }

    boolean isList(String key) {
      return has(key) && json.get(key).isJsonArray();
    }

    long[] longs(String key) {
      return longArray(get(key).getAsJsonArray());
    }

    DType dtype(String key) {
      return dtypeOf(get(key).getAsString());
    }

    /** Whether the argument is a string (rather than a number, list or tagged scalar). */
    boolean isString(String key) {
      return has(key) && json.get(key).isJsonPrimitive() && json.get(key).getAsJsonPrimitive().isString();
    }

    Scalar scalar(String key) {
      JsonObject o = get(key).getAsJsonObject();
      if (o.size() != 1) fail("scalar argument '" + key + "' must have one tagged value: " + o);
      String kind = o.keySet().iterator().next();
      if (!Set.of("int", "float", "bool").contains(kind)) fail("unknown scalar kind '" + kind + "'");
      return new Scalar(kind, o.getAsJsonPrimitive(kind));
    }

    double number(String key) {
      return Fixtures.number(get(key));
    }

    /** An argument as it is in the JSON (a list of index items, nested arguments). */
    JsonElement json(String key) {
      return get(key);
    }

    /** The arguments no call read: a fixture the Java mapping does not fully understand. */
    Set<String> unread() {
      Set<String> out = new TreeSet<>(json.keySet());
      out.removeAll(read);
      return out;
    }

    @Override
    public String toString() {
      return json.toString();
    }
  }

  /** All cases of one family; case names must be unique within it. */
  static List<Case> load(String family) {
    String resource = "/fixtures/" + family + ".json";
    JsonObject root;
    try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing fixture file " + resource);
      try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        root = JsonParser.parseReader(r).getAsJsonObject(); // lenient: reads NaN and Infinity
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    List<Case> cases = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonElement e : root.getAsJsonArray("cases")) {
      Case c = parseCase(family, e.getAsJsonObject());
      if (!names.add(c.name())) throw new IllegalStateException(resource + ": duplicate case " + c.name());
      cases.add(c);
    }
    return cases;
  }

  static Case parseCase(String family, JsonObject o) {
    List<TensorSpec> inputs = new ArrayList<>();
    for (JsonElement i : o.getAsJsonArray("inputs")) inputs.add(spec(i.getAsJsonObject()));
    List<TensorSpec> expected = null;
    if (o.has("expected")) {
      expected = new ArrayList<>();
      for (JsonElement t : o.getAsJsonArray("expected")) expected.add(spec(t.getAsJsonObject()));
    }
    return new Case(family, o.get("name").getAsString(), o.get("op").getAsString(), inputs,
        new Args(o.has("args") ? o.getAsJsonObject("args") : new JsonObject()), expected,
        o.has("expected_str") ? o.get("expected_str").getAsString() : null,
        o.has("error") ? o.getAsJsonObject("error") : null,
        o.has("shares_input") ? o.get("shares_input").getAsBoolean() : null,
        o.has("base_after") ? spec(o.getAsJsonObject("base_after")) : null,
        o.has("grads") ? grad(o) : null);
  }

  private static Grad grad(JsonObject o) {
    List<GradInput> inputs = new ArrayList<>();
    for (JsonElement e : o.getAsJsonArray("inputs")) {
      JsonObject i = e.getAsJsonObject();
      inputs.add(new GradInput(i.has("requires_grad") && i.get("requires_grad").getAsBoolean(),
          i.has("times") ? number(i.get("times")) : null, i.has("same_as") ? i.get("same_as").getAsInt() : null));
    }
    List<Step> then = new ArrayList<>();
    if (o.has("then")) {
      for (JsonElement e : o.getAsJsonArray("then")) {
        JsonArray step = e.getAsJsonArray();
        then.add(new Step(step.get(0).getAsString(), new Args(step.get(1).getAsJsonObject())));
      }
    }
    List<TensorSpec> grads = new ArrayList<>();
    for (JsonElement e : o.getAsJsonArray("grads")) grads.add(e.isJsonNull() ? null : spec(e.getAsJsonObject()));
    JsonElement seed = o.get("grad_output"), fn = o.get("grad_fn");
    return new Grad(inputs, then, seed == null || seed.isJsonNull() ? null : spec(seed.getAsJsonObject()), grads,
        fn == null || fn.isJsonNull() ? null : fn.getAsString());
  }

  static TensorSpec spec(JsonObject o) {
    JsonElement data = o.get("data");
    double[] pattern = null;
    if (o.has("pattern")) {
      JsonArray p = o.getAsJsonArray("pattern");
      pattern = new double[] {p.get(0).getAsLong(), p.get(1).getAsLong(), number(p.get(2)), number(p.get(3))};
    }
    return new TensorSpec(dtypeOf(o.get("dtype").getAsString()), longArray(o.getAsJsonArray("shape")),
        data == null || data.isJsonNull() ? null : data.getAsJsonArray(), pattern,
        o.has("stride") ? longArray(o.getAsJsonArray("stride")) : null,
        o.has("views") ? o.getAsJsonArray("views") : null);
  }

  /** Builds the input: its base from the data, then the views in order. */
  static Input build(TensorSpec s) {
    return build(s, false);
  }

  /** Builds the input; its base, a leaf, requires grad when asked, so that the views are recorded. */
  static Input build(TensorSpec s, boolean requiresGrad) {
    Tensor base = tensorOf(s);
    if (requiresGrad) base.requiresGrad(true);
    Tensor t = base;
    if (s.views() != null) for (JsonElement v : s.views()) t = applyView(t, v.getAsJsonArray());
    return new Input(base, t);
  }

  static Tensor tensorOf(TensorSpec s) {
    long[] shape = s.shape();
    if (shape.length == 0) { // 0-dim: Tensor.of always gives at least one dim
      return switch (s.dtype()) {
        case FLOAT32, FLOAT64, FLOAT16, BFLOAT16 -> Tensor.scalar(s.doubles()[0], s.dtype());
        case INT64 -> Tensor.scalar(s.longs()[0]);
        case INT32, INT16, INT8, UINT8 -> Tensor.scalar(s.longs()[0], s.dtype());
        case BOOL -> Tensor.scalar(s.booleans()[0]);
      };
    }
    return switch (s.dtype()) {
      case FLOAT32 -> Tensor.of(floats(s.doubles()), shape);
      // float16 and bfloat16 values are exact in float: built through the 16-bit patterns, as a user would
      case FLOAT16, BFLOAT16 -> Tensor.of(halfBits(floats(s.doubles()), s.dtype()), s.dtype(), shape);
      case FLOAT64 -> Tensor.of(s.doubles(), shape);
      case INT64 -> Tensor.of(s.longs(), shape);
      case INT32 -> {
        long[] l = s.longs();
        int[] v = new int[l.length];
        for (int i = 0; i < l.length; i++) v[i] = Math.toIntExact(l[i]);
        yield Tensor.of(v, shape);
      }
      case INT16 -> {
        long[] l = s.longs();
        short[] v = new short[l.length];
        for (int i = 0; i < l.length; i++) v[i] = (short) l[i];
        yield Tensor.of(v, DType.INT16, shape);
      }
      case INT8, UINT8 -> {
        long[] l = s.longs();
        byte[] v = new byte[l.length];
        for (int i = 0; i < l.length; i++) v[i] = (byte) l[i];
        yield Tensor.of(v, s.dtype(), shape);
      }
      case BOOL -> Tensor.of(s.booleans(), shape);
    };
  }

  private static float[] floats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }

  /** The bit patterns of float16 or bfloat16 values (each exactly representable: no rounding here). */
  static short[] halfBits(float[] values, DType dtype) {
    short[] out = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      int bits = Float.floatToRawIntBits(v);
      if (dtype == DType.BFLOAT16) {
        if ((bits & 0xffff) != 0 && !Float.isNaN(v)) throw new IllegalArgumentException(v + " is not a bfloat16 value");
        out[i] = (short) (Float.isNaN(v) ? 0x7fc0 : bits >>> 16);
      } else {
        out[i] = exactHalfBits(v);
      }
    }
    return out;
  }

  /** The float16 bits of a value float16 holds exactly (Java 17 has no Float.floatToFloat16). */
  private static short exactHalfBits(float v) {
    if (Float.isNaN(v)) return (short) 0x7e00;
    int bits = Float.floatToRawIntBits(v);
    int sign = (bits >>> 16) & 0x8000;
    if (Float.isInfinite(v)) return (short) (sign | 0x7c00);
    if (v == 0) return (short) sign;
    int exp = ((bits >>> 23) & 0xff) - 127, mant = bits & 0x7fffff;
    int shift = exp >= -14 ? 13 : 13 + (-14 - exp);
    int m = (mant | (exp >= -14 ? 0 : 0x800000)) >>> shift;
    if (exp > 15 || shift > 24 || (m << shift) != (mant | (exp >= -14 ? 0 : 0x800000)))
      throw new IllegalArgumentException(v + " is not a float16 value");
    return (short) (sign | (exp >= -14 ? (exp + 15) << 10 : 0) | m);
  }

  static Tensor applyView(Tensor t, JsonArray v) {
    String op = v.get(0).getAsString();
    return switch (op) {
      case "transpose" -> t.transpose(v.get(1).getAsInt(), v.get(2).getAsInt());
      case "permute" -> {
        long[] dims = longArray(v.get(1).getAsJsonArray());
        int[] d = new int[dims.length];
        for (int i = 0; i < d.length; i++) d[i] = (int) dims[i];
        yield t.permute(d);
      }
      case "slice" -> t.slice(v.get(1).getAsInt(), v.get(2).getAsLong(), v.get(3).getAsLong(), v.get(4).getAsLong());
      case "narrow" -> t.narrow(v.get(1).getAsInt(), v.get(2).getAsLong(), v.get(3).getAsLong());
      case "expand" -> t.expand(longArray(v.get(1).getAsJsonArray()));
      case "unsqueeze" -> t.unsqueeze(v.get(1).getAsInt());
      default -> throw new IllegalStateException("unknown view '" + op + "' in a fixture input");
    };
  }

  static DType dtypeOf(String name) {
    return DType.valueOf(name.toUpperCase(Locale.ROOT));
  }

  static long[] longArray(JsonArray a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
    return out;
  }

  /** A JSON number, or NaN/Infinity/-Infinity, which the lenient reader gives as strings. */
  static double number(JsonElement e) {
    JsonPrimitive p = e.getAsJsonPrimitive();
    return p.isNumber() ? p.getAsDouble() : Double.parseDouble(p.getAsString());
  }
}
