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

      // Backward from the same output gradients: dense ones for dense inputs, laid out as the inputs otherwise.
      List<Tensor> outs = new ArrayList<>(), oddOuts = new ArrayList<>();
      List<Tensor> grads = new ArrayList<>(), oddGrads = new ArrayList<>();
      Generator gen = new Generator(11);
      for (int k = 0; k < want.length; k++) {
        if (!want[k].requiresGrad() || !got[k].requiresGrad()) continue;
        Tensor g = Tensor.randn(gen, want[k].dtype(), want[k].shape());
        outs.add(want[k]);
        oddOuts.add(got[k]);
        grads.add(g);
        oddGrads.add(Layouts.relayout(g, layout));
      }
      if (outs.isEmpty()) return;
      // Recorded when the op has second derivatives: the backward's own ops then see the layouts too.
      boolean twice = s.twice();
      Tensor[] wantGrads = Autograd.grad(outs.toArray(Tensor[]::new), pick(dense, differentiable),
          grads.toArray(Tensor[]::new), twice, twice, true);
      Tensor[] gotGrads = Autograd.grad(oddOuts.toArray(Tensor[]::new), pick(odd, differentiable),
          oddGrads.toArray(Tensor[]::new), twice, twice, true);
      List<Tensor> firsts = new ArrayList<>(), oddFirsts = new ArrayList<>(), seconds = new ArrayList<>(),
          oddSeconds = new ArrayList<>();
      for (int j = 0; j < wantGrads.length; j++) {
        String input = what + ", gradient of input " + differentiable.get(j);
        if (wantGrads[j] == null || gotGrads[j] == null) {
          assertEquals(wantGrads[j] == null, gotGrads[j] == null, input + ": used in one layout only");
          continue;
        }
        Layouts.compare(input, gotGrads[j], wantGrads[j]);
        if (twice && wantGrads[j].requiresGrad() && gotGrads[j].requiresGrad()) {
          Tensor v = Tensor.randn(gen, wantGrads[j].dtype(), wantGrads[j].shape());
          firsts.add(wantGrads[j]);
          oddFirsts.add(gotGrads[j]);
          seconds.add(v);
          oddSeconds.add(Layouts.relayout(v, layout));
        }
      }
      if (firsts.isEmpty()) return;
      Tensor[] wantSecond = Autograd.grad(firsts.toArray(Tensor[]::new), pick(dense, differentiable),
          seconds.toArray(Tensor[]::new), false, false, true);
      Tensor[] gotSecond = Autograd.grad(oddFirsts.toArray(Tensor[]::new), pick(odd, differentiable),
          oddSeconds.toArray(Tensor[]::new), false, false, true);
      for (int j = 0; j < wantSecond.length; j++) {
        String input = what + ", second derivative through input " + differentiable.get(j);
        if (wantSecond[j] == null || gotSecond[j] == null) {
          assertEquals(wantSecond[j] == null, gotSecond[j] == null, input + ": used in one layout only");
          continue;
        }
        Layouts.compare(input, gotSecond[j], wantSecond[j]);
      }
    }
  }

  private static Tensor[] pick(Tensor[] t, List<Integer> which) {
    Tensor[] r = new Tensor[which.size()];
    for (int j = 0; j < r.length; j++) r[j] = t[which.get(j)];
    return r;
  }

}
