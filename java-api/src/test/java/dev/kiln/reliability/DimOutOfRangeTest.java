package dev.kiln.reliability;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.IndexException;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op of the native table that takes a dim, called straight through the table with the dim out of range
 * (too large, and too negative) on 2-d inputs: an IndexException naming the op, as PyTorch's IndexError, and
 * the inputs unchanged. The calls are built from the ops' signatures, so a new op with a dim is walked too.
 */
class DimOutOfRangeTest {
  private static final Set<String> DIM_NAMES = Set.of("dim", "dim0", "dim1", "dim2", "start_dim", "end_dim", "dims...");
  /** Values for the other integer arguments: a size, count or flag that is valid on a 2x3 input. */
  private static final Map<String, Long> DEFAULTS = Map.of("dtype", -1L, "k", 1L, "chunks", 1L, "split_size", 1L,
      "sizes...", 1L, "end", 1L, "step", 1L, "length", 1L, "largest", 1L, "sorted", 1L);

  static List<Integer> opsWithADim() {
    List<Integer> ops = new ArrayList<>();
    for (int i = 0; i < Core.opCount(); i++)
      if (intNames(Core.opSignature(i)).stream().anyMatch(DIM_NAMES::contains)) ops.add(i);
    return ops;
  }

  /** The integer arguments' names in a signature: "sum(Tensor x; ints: keepdim, dims...)" gives keepdim, dims.... */
  static List<String> intNames(String signature) {
    return section(signature, "ints: ");
  }

  private static List<String> section(String signature, String label) {
    String head = signature.split("\\) ->")[0];
    int at = head.indexOf(label);
    if (at < 0) return List.of();
    String rest = head.substring(at + label.length()).split("[;)]")[0];
    return Arrays.stream(rest.split(",")).map(s -> s.replaceAll("[\\[\\] ]", "")).filter(s -> !s.isEmpty()).toList();
  }

  @Test
  void theWalkFindsTheOpsWithADim() {
    List<String> names = opsWithADim().stream().map(Core::opName).toList();
    assertTrue(names.containsAll(List.of("sum", "softmax", "transpose", "gather", "cat", "cumsum", "sort")),
        names.toString());
  }

  @TestFactory
  Stream<DynamicTest> dimOutOfRange() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int op : opsWithADim())
      for (long bad : new long[] {5, -6})
        tests.add(DynamicTest.dynamicTest(Core.opName(op) + " dim " + bad, () -> check(op, bad)));
    return tests.stream();
  }

  private static void check(int op, long bad) {
    String name = Core.opName(op), signature = Core.opSignature(op);
    try (TensorScope scope = TensorScope.open()) {
      List<Tensor> inputs = inputs(signature);
      List<long[]> before = inputs.stream().map(t -> t.contiguous().to(DType.FLOAT64).toDoubleArray()).map(v -> {
        long[] bits = new long[v.length];
        for (int i = 0; i < v.length; i++) bits[i] = Double.doubleToRawLongBits(v[i]);
        return bits;
      }).toList();
      List<Integer> versions = inputs.stream().map(Tensor::version).toList();
      long[] ints = intNames(signature).stream()
          .mapToLong(n -> DIM_NAMES.contains(n) ? bad : DEFAULTS.getOrDefault(n, 0L)).toArray();
      if (name.equals("roll")) ints = new long[] {1, 1, bad}; // count, shifts..., dims...
      if (name.equals("permute")) ints = new long[] {0, bad}; // one dim per input dim
      double[] reals = new double[section(signature, "reals: ").size()];
      Arrays.fill(reals, 0.5);
      long[] handles = inputs.stream().mapToLong(Tensor::handle).toArray();
      long[] frame = Frame.of(handles, ints, reals);
      IndexException e = assertThrows(IndexException.class, () -> Core.call(op, frame, 4), signature);
      String known = name.replaceFirst("_dim$", "").replace("linalg_", "linalg.");  // max for max_dim
      assertTrue(e.getMessage().startsWith(name + ": ") || e.getMessage().startsWith(known + ": "),
          () -> "message does not name " + name + ": " + e.getMessage());
      for (int i = 0; i < inputs.size(); i++) {
        assertEquals(versions.get(i), inputs.get(i).version(), name + ": input " + i + " written");
        double[] now = inputs.get(i).contiguous().to(DType.FLOAT64).toDoubleArray();
        for (int k = 0; k < now.length; k++)
          assertEquals(before.get(i)[k], Double.doubleToRawLongBits(now[k]), name + ": input " + i + " changed");
      }
    }
  }

  /** 2x3 inputs by the signature's tensor names: int64 zeros for indices, two for a list of tensors. */
  private static List<Tensor> inputs(String signature) {
    String params = signature.substring(signature.indexOf('(') + 1).split("[;)]")[0];
    List<Tensor> out = new ArrayList<>();
    for (String p : params.split(",")) {
      p = p.trim();
      if (p.startsWith("Tensor...")) {
        out.add(Tensor.rand(DType.FLOAT64, 2, 3));
        out.add(Tensor.rand(DType.FLOAT64, 2, 3));
      } else if (p.startsWith("Tensor")) {
        out.add(p.contains("ind") ? Tensor.zeros(DType.INT64, 2, 3) : Tensor.rand(DType.FLOAT64, 2, 3));
      }
    }
    return out;
  }
}
