package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every differentiable op (the gradcheck samples of OpGradCheckTest) on inputs laid out in memory other than
 * densely: the same values and the same results, forward, backward and (for ops with second derivatives) the
 * backward of the backward, as on dense inputs. The gradcheck samples
 * only make dense tensors, while views hand kernels every layout: a kernel that assumes row-major strides, or
 * reads a gap, shows here. Gaps are filled with NaN (floats) or far-out-of-range values (integers), so that a
 * misread cannot pass unseen.
 */
class OpLayoutTest {
  private static final Map<String, List<GradSamples.Sample>> SAMPLES = GradSamples.all();

  /** Ops whose samples call view(), which no layout with gaps between rows can take. */
  private static final Set<String> STRIDE_BOUND = Set.of("view");

  @TestFactory
  Stream<DynamicTest> everyDifferentiableOp() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String op : OpGradCheckTest.differentiableOps())
      for (GradSamples.Sample s : SAMPLES.getOrDefault(op, List.of()))
        for (Layouts.Layout layout : Layouts.Layout.values())
          tests.add(DynamicTest.dynamicTest(
              op + (s.label().isEmpty() ? "" : " (" + s.label() + ")") + ", " + layout.name().toLowerCase(),
              () -> check(op, s, layout)));
    return tests.stream();
  }

  private static void check(String op, GradSamples.Sample s, Layouts.Layout layout) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] given = s.inputs().get();
      Tensor[] dense = new Tensor[given.length], odd = new Tensor[given.length];
      List<Integer> differentiable = new ArrayList<>();
      for (int i = 0; i < given.length; i++) {
        boolean grad = given[i].requiresGrad();
        Tensor x = given[i].detach();
        dense[i] = x.clone().requiresGrad(grad);
        odd[i] = Layouts.relayout(x, layout).detach().requiresGrad(grad);
        assertArrayEquals(x.shape(), odd[i].shape());
        assertTrue(x.numel() < 2 || !odd[i].isContiguous(), "a dense layout");
        if (grad) differentiable.add(i);
      }
      Tensor[] want = s.fn().apply(dense);
      Tensor[] got;
      try {
        got = s.fn().apply(odd);
      } catch (ShapeException e) {
        // view() refuses strides it cannot describe without a copy, as PyTorch's does.
        assertTrue(STRIDE_BOUND.contains(op) && e.getMessage().startsWith("view:"), op + ": " + e.getMessage());
        return;
      }
      assertEquals(want.length, got.length, op);
      String what = op + ", " + layout;
      for (int k = 0; k < want.length; k++) Layouts.compare(what + ", output " + k, got[k], want[k]);
      if (differentiable.isEmpty()) return;

      // Backward from the same output gradients, dense for the dense run and laid out for the other; recorded
      // when the op has second derivatives, so that the backward's own ops see the layouts too.
      Tensor[] denseIn = pick(dense, differentiable), oddIn = pick(odd, differentiable);
      Generator gen = new Generator(11);
      Layouts.Backward first = Layouts.Backward.of(want, got, gen, t -> Layouts.relayout(t, layout));
      if (first.isEmpty()) return;
      Tensor[][] grads = first.grads(denseIn, oddIn, s.twice());
      compareGradients(what + ", gradient of input ", differentiable, grads[1], grads[0]);
      if (!s.twice()) return;
      Layouts.Backward second = Layouts.Backward.of(grads[0], grads[1], gen, t -> Layouts.relayout(t, layout));
      if (second.isEmpty()) return;
      Tensor[][] seconds = second.grads(denseIn, oddIn, false);
      compareGradients(what + ", second derivative through input ", differentiable, seconds[1], seconds[0]);
    }
  }

  /** Gradients of the same inputs in both layouts: both null (an unused input) or the same values. */
  private static void compareGradients(String what, List<Integer> inputs, Tensor[] got, Tensor[] want) {
    for (int j = 0; j < want.length; j++) {
      String input = what + inputs.get(j);
      assertEquals(want[j] == null, got[j] == null, input + ": used in one layout only");
      if (want[j] != null) Layouts.compare(input, got[j], want[j]);
    }
  }

  private static Tensor[] pick(Tensor[] t, List<Integer> which) {
    Tensor[] r = new Tensor[which.size()];
    for (int j = 0; j < r.length; j++) r[j] = t[which.get(j)];
    return r;
  }

}
