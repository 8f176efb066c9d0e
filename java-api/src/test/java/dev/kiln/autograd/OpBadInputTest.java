package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.BadInputs.Outcome;
import dev.kiln.autograd.BadInputs.Snapshot;
import dev.kiln.internal.Core;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad input, op by op: every op of the native table is called (through its gradcheck sample, or its entry in
 * NonDifferentiableSamples) with its inputs made non-contiguous, expanded (zero strides), empty (a dim of size 0),
 * non-finite, and of another dtype. Layout variants must give the same outputs as the same values laid out
 * contiguously; the others must give outputs or a typed exception that names the op. Inputs stay unchanged.
 */
class OpBadInputTest {
  private static final Map<String, List<GradSamples.Sample>> SAMPLES = allSamples();
  private static final Set<String> TABLE_OPS = new TreeSet<>(tableOps());
  /** Ops whose result depends on the strides by definition: PyTorch's view raises on a layout it cannot view. */
  private static final Set<String> STRIDE_DEPENDENT = Set.of("view");
  /** Ops that draw in the tensor's dtype (as PyTorch's): a float32 tensor gets other numbers. */
  private static final Set<String> DRAWS_BY_DTYPE = Set.of("normal_", "uniform_", "rrelu_with_noise");

  private static Map<String, List<GradSamples.Sample>> allSamples() {
    Map<String, List<GradSamples.Sample>> all = new LinkedHashMap<>(GradSamples.all());
    all.putAll(GradSamples.nonDifferentiable());
    return all;
  }

  static List<String> tableOps() {
    List<String> ops = new ArrayList<>();
    for (int i = 0; i < Core.opCount(); i++) ops.add(Core.opName(i));
    return ops;
  }

  @Test
  void everyOpOfTheTableHasASample() {
    TreeSet<String> missing = new TreeSet<>(tableOps());
    missing.removeAll(SAMPLES.keySet());
    assertTrue(missing.isEmpty(), "ops without a sample to call them by: " + missing);
    assertEquals(Core.opCount(), SAMPLES.size(), "samples for ops the table does not list");
  }

  /** Non-contiguous and expanded inputs: the same outputs as contiguous inputs holding the same values. */
  @TestFactory
  Stream<DynamicTest> layouts() {
    return walk((op, s) -> {
      Tensor[] plain = s.inputs().get();
      assertSameAs(op, s, mapAll(plain, BadInputs::nonContiguous), plain, "non-contiguous");
      Tensor[] expanded = mapAll(plain, t -> {
        Tensor e = BadInputs.expanded(t);
        return e == null ? t : e;
      });
      Tensor[] contiguous = mapAll(expanded, t -> BadInputs.leaf(t.detach().contiguous().clone(), t));
      assertSameAs(op, s, expanded, contiguous, "expanded");
    });
  }

  /** Empty, non-finite and other-dtype inputs: outputs, or a typed exception naming the op; never a crash. */
  @TestFactory
  Stream<DynamicTest> badValues() {
    return walk((op, s) -> {
      Tensor[] plain = s.inputs().get();
      Outcome reference = Outcome.of(s.fn(), plain);
      assertNull(reference.error(), () -> op + ": the sample itself fails: " + reference.error());
      assertAnswered(op, s, BadInputs.empty(plain), "empty", true);
      assertAnswered(op, s, BadInputs.nonFinite(plain), "non-finite", false);
      Tensor[] single = BadInputs.firstFloatCast(plain, DType.FLOAT32);
      if (single != null) {
        Outcome mixed = assertAnswered(op, s, single, "float32", false);
        if (mixed.error() == null && !DRAWS_BY_DTYPE.contains(op)) {
          String diff = mixed.differenceFrom(reference, 2e-3, false);
          assertNull(diff, () -> op + " (" + s.label() + ") with a float32 input: " + diff);
        }
      }
      Tensor[] integral = BadInputs.firstFloatCast(plain, DType.INT64);
      if (integral != null) assertAnswered(op, s, integral, "int64", false);
    });
  }

  private interface Check {
    void run(String op, GradSamples.Sample s);
  }

  private static Stream<DynamicTest> walk(Check check) {
    List<DynamicTest> tests = new ArrayList<>();
    for (String op : tableOps()) {
      for (GradSamples.Sample s : SAMPLES.getOrDefault(op, List.of())) {
        String name = op + (s.label().isEmpty() ? "" : " (" + s.label() + ")");
        tests.add(DynamicTest.dynamicTest(name, () -> {
          try (TensorScope scope = TensorScope.open()) {
            check.run(op, s);
          }
        }));
      }
    }
    return tests.stream();
  }

  private static Tensor[] mapAll(Tensor[] inputs, UnaryOperator<Tensor> f) {
    Tensor[] out = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) out[i] = f.apply(inputs[i]);
    return out;
  }

  private static void assertSameAs(String op, GradSamples.Sample s, Tensor[] variant, Tensor[] plain, String what) {
    Outcome expected = Outcome.of(s.fn(), plain);
    Outcome actual = call(op, s, variant, what);
    if (STRIDE_DEPENDENT.contains(op) && actual.error() != null) return; // call() checked that the error is typed
    String diff = actual.differenceFrom(expected, 1e-12);
    assertNull(diff, () -> op + " (" + s.label() + ") with " + what + " inputs: " + diff);
  }

  /** Calls the op; an error must be typed, name the op and leave the inputs as they were. */
  private static Outcome call(String op, GradSamples.Sample s, Tensor[] inputs, String what) {
    List<Snapshot> before = inputs.length == 0 ? List.of() : java.util.Arrays.stream(inputs).map(Snapshot::of).toList();
    Outcome outcome = Outcome.of(s.fn(), inputs);
    for (int i = 0; i < inputs.length; i++) {
      int k = i;
      assertTrue(before.get(i).same(Snapshot.of(inputs[i])), () -> op + " (" + s.label() + ", " + what + "): input " + k
          + " changed by the call (" + outcome.describe() + ")");
    }
    if (outcome.error() != null) {
      String problem = BadInputs.problemWithError(outcome.error(), op, TABLE_OPS);
      assertNull(problem, () -> op + " (" + s.label() + ", " + what + "): " + problem);
    }
    return outcome;
  }

  private static Outcome assertAnswered(String op, GradSamples.Sample s, Tensor[] inputs, String what,
                                        boolean backward) {
    Outcome outcome = call(op, s, inputs, what);
    if (backward && outcome.error() == null) {
      // The gradient of an empty result flows back to empty inputs: a sum's backward must not crash either.
      try {
        Tensor[] out = s.fn().apply(inputs);
        if (out.length > 0 && out[0].requiresGrad()) out[0].sum().backward();
      } catch (RuntimeException e) {
        String problem = BadInputs.problemWithError(e, op, TABLE_OPS);
        assertNull(problem, () -> op + " (" + s.label() + ", " + what + " backward): " + problem);
      }
    }
    return outcome;
  }
}
