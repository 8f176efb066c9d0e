package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * gradcheck and gradgradcheck in float64 for every differentiable op of the native op table. The op list
 * comes from the table: an op with a derivative and no sample here fails the build.
 */
class OpGradCheckTest {
  /** A function to check and the inputs to check it at (made fresh for each check). */
  record Sample(String label, GradCheck.TensorFunction fn, Supplier<Tensor[]> inputs, double eps, double atol, double rtol) {}

  private static final Map<String, List<Sample>> SAMPLES = new LinkedHashMap<>();

  private static final Generator GEN = new Generator(7);

  static Tensor randn(long... shape) {
    return Tensor.randn(GEN, DType.FLOAT64, shape).requiresGrad(true);
  }

  /** Values in [lo, lo + 1): away from the points where an op is not differentiable. */
  static Tensor positive(double lo, long... shape) {
    return Tensor.rand(GEN, DType.FLOAT64, shape).add(lo).requiresGrad(true);
  }

  /** Distinct values away from 0, with random signs. */
  static Tensor awayFromZero(long... shape) {
    Tensor mag = Tensor.rand(GEN, DType.FLOAT64, shape).add(0.2);
    Tensor sign = Tensor.rand(GEN, DType.FLOAT64, shape).gt(0.5).to(DType.FLOAT64).mul(2).sub(1);
    return mag.mul(sign).add(Tensor.arange(DType.FLOAT64, 0, mag.numel(), 1).view(shape).mul(1e-3)).requiresGrad(true);
  }

  static void sample(String op, String label, GradCheck.TensorFunction fn, Supplier<Tensor[]> inputs) {
    SAMPLES.computeIfAbsent(op, k -> new ArrayList<>()).add(new Sample(label, fn, inputs, GradCheck.EPS, GradCheck.ATOL, GradCheck.RTOL));
  }

  static Tensor[] of(Tensor... t) {
    return t;
  }

  static {
    sample("add", "broadcast", in -> of(in[0].add(in[1])), () -> of(randn(2, 3), randn(3)));
    sample("add", "scalar", in -> of(in[0].add(2.5)), () -> of(randn(3)));
    sample("sub", "broadcast", in -> of(in[0].sub(in[1])), () -> of(randn(2, 1), randn(3)));
    sample("mul", "broadcast", in -> of(in[0].mul(in[1])), () -> of(randn(2, 3), randn(2, 1)));
    sample("div", "broadcast", in -> of(in[0].div(in[1])), () -> of(randn(2, 3), positive(0.5, 3)));
    sample("pow", "tensor exponent", in -> of(in[0].pow(in[1])), () -> of(positive(0.5, 2, 3), randn(3)));
    sample("pow", "scalar exponent", in -> of(in[0].pow(2.5)), () -> of(positive(0.5, 4)));
    sample("pow", "integer exponent", in -> of(in[0].pow(3)), () -> of(randn(4)));
    sample("neg", "", in -> of(in[0].neg()), () -> of(randn(2, 2)));
    sample("exp", "", in -> of(in[0].exp()), () -> of(randn(2, 2)));
    sample("log", "", in -> of(in[0].log()), () -> of(positive(0.5, 2, 2)));
    sample("sqrt", "", in -> of(in[0].sqrt()), () -> of(positive(0.5, 2, 2)));
    sample("abs", "", in -> of(in[0].abs()), () -> of(awayFromZero(2, 3)));
    sample("relu", "", in -> of(in[0].relu()), () -> of(awayFromZero(2, 3)));
    sample("sigmoid", "", in -> of(in[0].sigmoid()), () -> of(randn(2, 3)));
    sample("tanh", "", in -> of(in[0].tanh()), () -> of(randn(2, 3)));
    sample("where", "", in -> of(Tensor.where(in[2].gt(0), in[0], in[1])), () -> of(randn(2, 3), randn(3), randn(2, 3)));
    sample("sum", "all", in -> of(in[0].sum()), () -> of(randn(2, 3)));
    sample("sum", "dims keepdim", in -> of(in[0].sum(new int[] {0, 2}, true)), () -> of(randn(2, 3, 2)));
    sample("mean", "dim", in -> of(in[0].mean(1)), () -> of(randn(2, 3)));
    sample("max", "", in -> of(in[0].max()), () -> of(awayFromZero(2, 3)));
    sample("min", "", in -> of(in[0].min()), () -> of(awayFromZero(2, 3)));
    sample("max_dim", "", in -> of(in[0].max(1).values()), () -> of(awayFromZero(3, 4)));
    sample("min_dim", "keepdim", in -> of(in[0].min(0, true).values()), () -> of(awayFromZero(3, 4)));
    sample("view", "", in -> of(in[0].view(3, 2)), () -> of(randn(2, 3)));
    sample("reshape", "copying", in -> of(in[0].t().reshape(6)), () -> of(randn(2, 3)));
    sample("transpose", "", in -> of(in[0].transpose(0, 2)), () -> of(randn(2, 3, 2)));
    sample("t", "", in -> of(in[0].t()), () -> of(randn(2, 3)));
    sample("permute", "", in -> of(in[0].permute(2, 0, 1)), () -> of(randn(2, 3, 2)));
    sample("slice", "step", in -> of(in[0].slice(1, 0, 3, 2)), () -> of(randn(2, 4)));
    sample("narrow", "", in -> of(in[0].narrow(0, 1, 2)), () -> of(randn(3, 2)));
    sample("expand", "", in -> of(in[0].expand(2, 3, 4)), () -> of(randn(3, 1)));
    sample("squeeze", "", in -> of(in[0].squeeze()), () -> of(randn(2, 1, 3)));
    sample("unsqueeze", "", in -> of(in[0].unsqueeze(1)), () -> of(randn(2, 3)));
    sample("flatten", "", in -> of(in[0].flatten()), () -> of(randn(2, 3, 2)));
    sample("contiguous", "", in -> of(in[0].t().contiguous()), () -> of(randn(2, 3)));
    sample("to", "same dtype", in -> of(in[0].to(DType.FLOAT64)), () -> of(randn(3)));
    SAMPLES.computeIfAbsent("_to_copy", k -> new ArrayList<>()).add(new Sample("through float32",
        in -> of(in[0].to(DType.FLOAT32).to(DType.FLOAT64)), () -> of(randn(3)), 1e-2, 1e-3, 1e-2));
    sample("clone", "", in -> of(in[0].clone()), () -> of(randn(2, 3)));
    sample("copy_", "broadcast into a non-leaf", in -> of(in[0].mul(1).copy_(in[1])), () -> of(randn(2, 3), randn(3)));
    sample("fill_", "tensor value", in -> of(in[0].mul(2).fill_(in[1])), () -> of(randn(2, 2), randn()));
    sample("zero_", "", in -> of(in[0].mul(2).zero_().add(in[0])), () -> of(randn(2, 2)));
    sample("mm", "", in -> of(in[0].mm(in[1])), () -> of(randn(2, 3), randn(3, 4)));
    sample("bmm", "", in -> of(in[0].bmm(in[1])), () -> of(randn(2, 2, 3), randn(2, 3, 2)));
    sample("matmul", "vector-vector", in -> of(in[0].matmul(in[1])), () -> of(randn(3), randn(3)));
    sample("matmul", "matrix-vector", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 3), randn(3)));
    sample("matmul", "batched broadcast", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 1, 2, 3), randn(3, 3, 2)));
    sample("matmul", "3-D by 2-D", in -> of(in[0].matmul(in[1])), () -> of(randn(2, 2, 3), randn(3, 2)));
    sample("gather", "", in -> of(in[0].gather(1, Tensor.of(new long[] {2, 0, 1, 1}, 2, 2))), () -> of(randn(2, 3)));
    sample("scatter", "", in -> of(in[0].scatter(1, Tensor.of(new long[] {2, 0, 1, 2}, 2, 2), in[1])), () -> of(randn(2, 3), randn(2, 2)));
    sample("scatter_add", "repeated index", in -> of(in[0].scatterAdd(1, Tensor.of(new long[] {1, 1, 0, 2}, 2, 2), in[1])), () -> of(randn(2, 3), randn(2, 2)));
    sample("slice_scatter", "", in -> of(in[0].sliceScatter(in[1], 1, 0, 4, 2)), () -> of(randn(2, 4), randn(2, 2)));
  }

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
      for (Sample s : SAMPLES.getOrDefault(op, List.of())) {
        tests.add(DynamicTest.dynamicTest(op + (s.label().isEmpty() ? "" : " (" + s.label() + ")"), () -> {
          Tensor[] inputs = s.inputs().get();
          if (second) GradCheck.gradgradcheck(s.fn(), s.eps(), s.atol(), s.rtol(), inputs);
          else assertTrue(GradCheck.gradcheck(s.fn(), s.eps(), s.atol(), s.rtol(), inputs));
        }));
      }
    }
    return tests.stream();
  }
}
