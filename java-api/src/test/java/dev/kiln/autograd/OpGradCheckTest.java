package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.NotImplementedException;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * gradcheck and gradgradcheck in float64 for every differentiable op of the native op table. The op list
 * comes from the table: an op with a derivative and no sample here fails the build.
 */
class OpGradCheckTest {
  private static final Map<String, List<GradSamples.Sample>> SAMPLES = GradSamples.all();

  static List<String> differentiableOps() {
    List<String> ops = new ArrayList<>();
    for (int i = 0; i < Core.opCount(); i++) if (Core.opDifferentiable(i)) ops.add(Core.opName(i));
    return ops;
  }

  @Test
  void everyDifferentiableOpHasASampleAndEverySampleAnOp() {
    List<String> ops = differentiableOps();
    TreeSet<String> missing = new TreeSet<>(ops);
    missing.removeAll(SAMPLES.keySet());
    assertTrue(missing.isEmpty(), "differentiable ops without a gradcheck sample: " + missing);
    TreeSet<String> stale = new TreeSet<>(SAMPLES.keySet());
    stale.removeAll(ops);
    assertTrue(stale.isEmpty(), "samples for ops the table does not list as differentiable: " + stale);
  }

  @TestFactory
  Stream<DynamicTest> gradcheck() {
    return cases(false);
  }

  @TestFactory
  Stream<DynamicTest> gradgradcheck() {
    return cases(true);
  }

  private Stream<DynamicTest> cases(boolean second) {
    List<DynamicTest> tests = new ArrayList<>();
    for (String op : differentiableOps()) {
      for (GradSamples.Sample s : SAMPLES.getOrDefault(op, List.of())) {
        tests.add(DynamicTest.dynamicTest(op + (s.label().isEmpty() ? "" : " (" + s.label() + ")"), () -> {
          Tensor[] inputs = s.inputs().get();
          if (second && !s.twice())
            assertThrows(NotImplementedException.class,
                () -> GradCheck.gradgradcheck(s.fn(), s.eps(), s.atol(), s.rtol(), inputs));
          else if (second) GradCheck.gradgradcheck(s.fn(), s.eps(), s.atol(), s.rtol(), inputs);
          else assertTrue(GradCheck.gradcheck(s.fn(), s.eps(), s.atol(), s.rtol(), inputs));
        }));
      }
    }
    return tests.stream();
  }
}
