package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.nn.functional.Activations;
import dev.kiln.nn.functional.Convolutions;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Normalization;
import dev.kiln.nn.functional.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The kernels' fast paths on layouts other than dense. OpLayoutTest runs every op's gradcheck sample, whose
 * tensors are too small to reach the vectorised and blocked paths (which start at a vector's or a block's worth of
 * elements); here the ops with such paths run on odd sizes past them (37 x 133, 5 x 19 x 41, ...), in float32 and
 * float64, on transposed, gapped and permuted inputs, forward and backward, against the same op on dense copies.
 */
class OpLayoutLargeTest {
  /** An op on inputs made by inputs (dense), with which of them are differentiable. */
  private record Case(String name, Function<Tensor[], Tensor[]> fn, Function<DType, Tensor[]> inputs) {}

  private enum Layout {
    TRANSPOSED, GAPS, PERMUTED
  }

  private static final Generator GEN = new Generator(3);

  private static Tensor randn(DType t, long... shape) {
    return Tensor.randn(GEN, t, shape);
  }

  private static Tensor positive(DType t, long... shape) {
    return Tensor.rand(GEN, t, shape).add(0.5);
  }

  private static Tensor[] of(Tensor... t) {
    return t;
  }

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    long[][] shapes = {{37, 133}, {5, 19, 41}, {130, 7}};
    for (long[] shape : shapes) {
      String sh = java.util.Arrays.toString(shape);
      for (int d = 0; d < shape.length; d++) {
        final int dim = d;
        String at = " " + sh + " dim " + d;
        Function<DType, Tensor[]> x = t -> of(randn(t, shape));
        c.add(new Case("sum" + at, in -> of(in[0].sum(dim)), x));
        c.add(new Case("mean" + at, in -> of(in[0].mean(dim)), x));
        c.add(new Case("var" + at, in -> of(in[0].var(dim)), x));
        c.add(new Case("std keepdim" + at, in -> of(in[0].std(new int[] {dim}, true, true)), x));
        c.add(new Case("var_mean" + at, in -> {
          var r = in[0].varMean(new int[] {dim}, 1.0, false);
          return of(r.var(), r.mean());
        }, x));
        c.add(new Case("amax" + at, in -> of(in[0].amax(dim)), x));
        c.add(new Case("amin" + at, in -> of(in[0].amin(dim)), x));
        c.add(new Case("max" + at, in -> {
          var r = in[0].max(dim);
          return of(r.values(), r.indices());
        }, x));
        c.add(new Case("argmin" + at, in -> of(in[0].argmin(dim)), x));
        c.add(new Case("prod" + at, in -> of(in[0].prod(dim)), t -> of(positive(t, shape).mul(0.2).add(0.9))));
        c.add(new Case("logsumexp" + at, in -> of(in[0].logsumexp(dim)), x));
        c.add(new Case("nansum" + at, in -> of(in[0].nansum(dim)), x));
        c.add(new Case("norm 2" + at, in -> of(in[0].norm(2, dim)), x));
        c.add(new Case("norm 1" + at, in -> of(in[0].norm(1, dim)), x));
        c.add(new Case("softmax" + at, in -> of(in[0].softmax(dim)), x));
        c.add(new Case("log_softmax" + at, in -> of(in[0].logSoftmax(dim)), x));
        c.add(new Case("cumsum" + at, in -> of(in[0].cumsum(dim)), x));
        c.add(new Case("cumprod" + at, in -> of(in[0].cumprod(dim)), t -> of(positive(t, shape).mul(0.2).add(0.9))));
        c.add(new Case("sort" + at, in -> {
          var r = in[0].sort(dim, false, true);
          return of(r.values(), r.indices());
        }, x));
        c.add(new Case("topk" + at, in -> {
          var r = in[0].topk(3, dim, true, true);
          return of(r.values(), r.indices());
        }, x));
        c.add(new Case("any" + at, in -> of(in[0].gt(1.5).any(dim)), x));
        c.add(new Case("glu" + at, in -> of(Activations.glu(in[0], dim)),
            t -> of(randn(t, shape[dim] % 2 == 0 ? shape : grow(shape, dim)))));
        c.add(new Case("normalize" + at, in -> of(Normalization.normalize(in[0], 2, dim, 1e-12)), x));
      }
      c.add(new Case("sum all " + sh, in -> of(in[0].sum()), t -> of(randn(t, shape))));
      c.add(new Case("var all " + sh, in -> of(in[0].var()), t -> of(randn(t, shape))));
      c.add(new Case("layer_norm " + sh, in -> of(Normalization.layerNorm(in[0], new long[] {shape[shape.length - 1]},
          in[1], in[2], 1e-5)), t -> of(randn(t, shape), randn(t, shape[shape.length - 1]),
          randn(t, shape[shape.length - 1]))));
      for (var u : List.<Function<Tensor, Tensor>>of(Tensor::exp, Tensor::tanh, Tensor::sigmoid, Tensor::relu,
          Tensor::abs, Activations::gelu, Activations::silu, Activations::softplus, Activations::elu,
          Activations::hardswish, Activations::logsigmoid))
        c.add(new Case("unary " + c.size() + " " + sh, in -> of(u.apply(in[0])), t -> of(randn(t, shape))));
      c.add(new Case("log " + sh, in -> of(in[0].log()), t -> of(positive(t, shape))));
      c.add(new Case("sqrt " + sh, in -> of(in[0].sqrt()), t -> of(positive(t, shape))));
      c.add(new Case("add " + sh, in -> of(in[0].add(in[1])), t -> of(randn(t, shape), randn(t, shape))));
      c.add(new Case("mul " + sh, in -> of(in[0].mul(in[1])), t -> of(randn(t, shape), randn(t, shape))));
      c.add(new Case("div " + sh, in -> of(in[0].div(in[1])), t -> of(randn(t, shape), positive(t, shape))));
      c.add(new Case("maximum " + sh, in -> of(in[0].maximum(in[1])), t -> of(randn(t, shape), randn(t, shape))));
      c.add(new Case("atan2 " + sh, in -> of(in[0].atan2(in[1])), t -> of(randn(t, shape), positive(t, shape))));
      c.add(new Case("pow " + sh, in -> of(in[0].pow(in[1])), t -> of(positive(t, shape), randn(t, shape))));
      c.add(new Case("addcmul " + sh, in -> of(in[0].addcmul(in[1], in[2], 0.5)),
          t -> of(randn(t, shape), randn(t, shape), randn(t, shape))));
      c.add(new Case("where " + sh, in -> of(in[0].where(in[1].gt(0), in[1])),
          t -> of(randn(t, shape), randn(t, shape))));
      c.add(new Case("mse_loss " + sh, in -> of(Losses.mseLoss(in[0], in[1])), t -> of(randn(t, shape),
          randn(t, shape))));
      long[] row = new long[shape.length];
      java.util.Arrays.fill(row, 1);
      row[shape.length - 1] = shape[shape.length - 1];
      c.add(new Case("add row " + sh, in -> of(in[0].add(in[1])), t -> of(randn(t, shape), randn(t, row))));
      long[] col = shape.clone();
      col[shape.length - 1] = 1;
      c.add(new Case("mul column " + sh, in -> of(in[0].mul(in[1])), t -> of(randn(t, shape), randn(t, col))));
    }
    c.add(new Case("matmul", in -> of(in[0].matmul(in[1])), t -> of(randn(t, 37, 133), randn(t, 133, 29))));
    c.add(new Case("bmm", in -> of(in[0].bmm(in[1])), t -> of(randn(t, 3, 37, 70), randn(t, 3, 70, 29))));
    c.add(new Case("matmul batched by vector", in -> of(in[0].matmul(in[1])), t -> of(randn(t, 4, 37, 70),
        randn(t, 70))));
    c.add(new Case("addmm", in -> of(in[2].addmm(in[0], in[1])), t -> of(randn(t, 37, 133), randn(t, 133, 29),
        randn(t, 37, 29))));
    c.add(new Case("cross_entropy", in -> of(Losses.crossEntropy(in[0], in[1])), t -> of(randn(t, 67, 19),
        Tensor.randint(GEN, 0, 19, 67))));
    // Images: PERMUTED puts channels innermost (channels-last memory).
    Function<DType, Tensor[]> image = t -> of(randn(t, 4, 16, 13, 11));
    c.add(new Case("conv2d 3x3", in -> of(Convolutions.conv2d(in[0], in[1], in[2], 1, 1, 1, 1)),
        t -> of(randn(t, 4, 16, 13, 11), randn(t, 24, 16, 3, 3).mul(0.1), randn(t, 24))));
    c.add(new Case("conv2d 1x1 stride 2", in -> of(Convolutions.conv2d(in[0], in[1], in[2], 2, 0, 1, 1)),
        t -> of(randn(t, 4, 16, 13, 11), randn(t, 24, 16, 1, 1).mul(0.1), randn(t, 24))));
    c.add(new Case("conv2d depthwise", in -> of(Convolutions.conv2d(in[0], in[1], in[2], 1, 1, 1, 16)),
        t -> of(randn(t, 4, 16, 13, 11), randn(t, 16, 1, 3, 3), randn(t, 16))));
    c.add(new Case("max_pool2d", in -> of(Pooling.maxPool2d(in[0], 2)), image));
    c.add(new Case("avg_pool2d", in -> of(Pooling.avgPool2d(in[0], 3)), image));
    c.add(new Case("adaptive_avg_pool2d", in -> of(Pooling.adaptiveAvgPool2d(in[0], 1)), image));
    c.add(new Case("batch_norm", in -> of(Normalization.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5)),
        t -> of(randn(t, 4, 16, 13, 11), randn(t, 16), randn(t, 16))));
    c.add(new Case("group_norm", in -> of(Normalization.groupNorm(in[0], 4, in[1], in[2], 1e-5)),
        t -> of(randn(t, 4, 16, 13, 11), randn(t, 16), randn(t, 16))));
    return c;
  }

  private static long[] grow(long[] shape, int dim) {
    long[] s = shape.clone();
    s[dim] += 1;
    return s;
  }

  @TestFactory
  Stream<DynamicTest> opsPastTheirFastPathThresholds() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : cases())
      for (DType t : List.of(DType.FLOAT32, DType.FLOAT64))
        for (Layout layout : Layout.values())
          tests.add(DynamicTest.dynamicTest(c.name() + " in " + t + ", " + layout.name().toLowerCase(),
              () -> check(c, t, layout)));
    return tests.stream();
  }

  private static void check(Case c, DType t, Layout layout) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] given = c.inputs().apply(t);
      Tensor[] dense = new Tensor[given.length], odd = new Tensor[given.length];
      List<Integer> differentiable = new ArrayList<>();
      for (int i = 0; i < given.length; i++) {
        boolean grad = given[i].dtype().isFloatingPoint();
        dense[i] = given[i].clone().requiresGrad(grad);
        odd[i] = relayout(given[i], layout).detach().requiresGrad(grad);
        if (grad) differentiable.add(i);
      }
      Tensor[] want = c.fn().apply(dense);
      Tensor[] got = c.fn().apply(odd);
      String what = c.name() + " in " + t + ", " + layout;
      assertEquals(want.length, got.length, what);
      for (int k = 0; k < want.length; k++) Layouts.compare(what + ", output " + k, got[k], want[k]);

      Layouts.Backward backward = Layouts.Backward.of(want, got, new Generator(5), x -> relayout(x, layout));
      if (backward.isEmpty()) return;
      Tensor[][] grads = backward.grads(differentiable.stream().map(i -> dense[i]).toArray(Tensor[]::new),
          differentiable.stream().map(i -> odd[i]).toArray(Tensor[]::new), false);
      for (int j = 0; j < grads[0].length; j++) {
        if (grads[0][j] == null) continue;
        Layouts.compare(what + ", gradient of input " + differentiable.get(j), grads[1][j], grads[0][j]);
      }
    }
  }

  /** PERMUTED: dims rotated in memory so that dim 1 is innermost (channels-last for images), with gaps. */
  private static Tensor relayout(Tensor x, Layout layout) {
    int rank = x.shape().length;
    if (layout == Layout.TRANSPOSED) return Layouts.relayout(x, Layouts.Layout.TRANSPOSED);
    if (layout == Layout.GAPS || rank < 3) return Layouts.relayout(x, Layouts.Layout.GAPS);
    int[] order = new int[rank], back = new int[rank];
    for (int d = 0, k = 0; d < rank; d++) if (d != 1) order[k++] = d;
    order[rank - 1] = 1;
    for (int d = 0; d < rank; d++) back[order[d]] = d;
    return Layouts.relayout(x.permute(order), Layouts.Layout.GAPS).permute(back);
  }
}
