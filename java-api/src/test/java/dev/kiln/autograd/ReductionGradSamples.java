package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.awayFromZero;
import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.positive;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/** gradcheck samples: reductions, softmax, scans, sorting and selection. */
final class ReductionGradSamples {
  private ReductionGradSamples() {}

  static void register(GradSamples s) {
    s.sample("sum", "all", in -> of(in[0].sum()), () -> of(randn(2, 3)));
    s.sample("sum", "dims keepdim", in -> of(in[0].sum(new int[] {0, 2}, true)), () -> of(randn(2, 3, 2)));
    s.sample("mean", "dim", in -> of(in[0].mean(1)), () -> of(randn(2, 3)));
    s.sample("max", "", in -> of(in[0].max()), () -> of(awayFromZero(2, 3)));
    s.sample("min", "", in -> of(in[0].min()), () -> of(awayFromZero(2, 3)));
    s.sample("max_dim", "", in -> of(in[0].max(1).values()), () -> of(awayFromZero(3, 4)));
    s.sample("min_dim", "keepdim", in -> of(in[0].min(0, true).values()), () -> of(awayFromZero(3, 4)));
    s.sample("amax", "dims", in -> of(in[0].amax(new int[] {0, 2}, false)), () -> of(awayFromZero(2, 3, 2)));
    s.sample("amin", "keepdim", in -> of(in[0].amin(new int[] {1}, true)), () -> of(awayFromZero(3, 4)));
    s.sample("prod", "all", in -> of(in[0].prod()), () -> of(awayFromZero(2, 3)));
    s.sample("prod", "dim keepdim", in -> of(in[0].prod(1, true)), () -> of(randn(3, 4)));
    // Exact zeros: the derivative goes through the exclusive products, its own through cumprod's quadratic form.
    s.sample("prod", "zeros", in -> of(in[0].prod(1)), () -> of(exact(new double[] {0, 2, -1.5, 0, 3, 0, 1.5, 0.5, -2}, 3, 3)));
    s.sample("var", "dims", in -> of(in[0].var(0, 2)), () -> of(randn(3, 2, 4)));
    s.sample("var", "correction keepdim", in -> of(in[0].var(new int[] {1}, 0.0, true)), () -> of(randn(2, 5)));
    s.sample("std", "all", in -> of(in[0].std()), () -> of(randn(2, 3)));
    s.sample("std", "dim", in -> of(in[0].std(new int[] {1}, false, false)), () -> of(randn(3, 4)));
    s.sample("var_mean", "", in -> {
      var r = in[0].varMean(new int[] {1}, 1.0, false);
      return of(r.var(), r.mean());
    }, () -> of(randn(3, 4)));
    s.sample("std_mean", "", in -> {
      var r = in[0].stdMean(new int[] {0}, 1.0, true);
      return of(r.std(), r.mean());
    }, () -> of(randn(3, 4)));
    s.sample("logsumexp", "dim", in -> of(in[0].logsumexp(1)), () -> of(randn(3, 4)));
    s.sample("logsumexp", "dims keepdim", in -> of(in[0].logsumexp(new int[] {0, 2}, true)), () -> of(randn(2, 3, 2)));
    s.sample("nansum", "", in -> of(in[0].nansum(new int[] {1}, false)), () -> of(randn(3, 4)));
    s.sample("nanmean", "", in -> of(in[0].nanmean(0)), () -> of(randn(3, 4)));
    s.sample("norm", "2", in -> of(in[0].norm()), () -> of(randn(3, 4)));
    s.sample("norm", "1 dim", in -> of(in[0].norm(1, 1)), () -> of(awayFromZero(3, 4)));
    s.sample("norm", "inf", in -> of(in[0].norm(Double.POSITIVE_INFINITY, new int[] {1}, true)), () -> of(awayFromZero(3, 4)));
    s.sample("norm", "-inf", in -> of(in[0].norm(Double.NEGATIVE_INFINITY, 0)), () -> of(awayFromZero(3, 4)));
    s.sample("norm", "3", in -> of(in[0].norm(3, 1)), () -> of(awayFromZero(3, 4)));
    s.sample("norm", "1.5", in -> of(in[0].norm(1.5, 0)), () -> of(awayFromZero(3, 4)));
    s.sample("norm", "0.5", in -> of(in[0].norm(0.5, 1)), () -> of(awayFromZero(3, 4)));
    s.sample("norm", "-1", in -> of(in[0].norm(-1, 1)), () -> of(awayFromZero(3, 4)));
    s.sample("norm", "0", in -> of(in[0].norm(0, 1)), () -> of(awayFromZero(3, 4)));
    s.sample("linalg_vector_norm", "2 dims", in -> of(in[0].vectorNorm(2, new int[] {0, 2}, false)), () -> of(randn(2, 3, 2)));
    s.sample("linalg_vector_norm", "4", in -> of(in[0].vectorNorm(4)), () -> of(randn(3, 4)));
    s.sample("softmax", "dim 1", in -> of(in[0].softmax(1)), () -> of(randn(3, 4)));
    s.sample("softmax", "dim 0 of 3-D", in -> of(in[0].softmax(0)), () -> of(randn(3, 2, 2)));
    s.sample("log_softmax", "dim 1", in -> of(in[0].logSoftmax(1)), () -> of(randn(3, 4)));
    s.sample("log_softmax", "transposed", in -> of(in[0].t().logSoftmax(1)), () -> of(randn(4, 3)));
    // The backward rows, called directly: their derivatives are softmax's second derivative.
    s.sample("_softmax_backward_data", "", in -> of(backwardData("_softmax_backward_data", in[0], in[1], 1)),
        () -> of(randn(3, 4), positive(0.1, 3, 4)));
    s.sample("_log_softmax_backward_data", "", in -> of(backwardData("_log_softmax_backward_data", in[0], in[1], 0)),
        () -> of(randn(3, 4), randn(3, 4)));
    s.sample("cumsum", "dim 1", in -> of(in[0].cumsum(1)), () -> of(randn(3, 4)));
    s.sample("cumsum", "dim 0", in -> of(in[0].cumsum(0)), () -> of(randn(3, 2, 2)));
    s.sample("cumprod", "dim 1", in -> of(in[0].cumprod(1)), () -> of(awayFromZero(3, 4)));
    s.sample("cumprod", "zeros", in -> of(in[0].cumprod(1)),
        () -> of(exact(new double[] {2, 0, 3, 0, 1.5, 0, -1, 2, 0, 0.5, 1.5, 2}, 3, 4)));
    s.sample("cumprod", "zeros dim 0", in -> of(in[0].cumprod(0)),
        () -> of(exact(new double[] {1.5, 0, 0, 2, -1, 0.5}, 3, 2)));
    s.sample("sort", "", in -> of(in[0].sort(1).values()), () -> of(awayFromZero(3, 4)));
    s.sample("sort", "descending dim 0", in -> of(in[0].sort(0, true).values()), () -> of(awayFromZero(3, 4)));
    s.sample("topk", "", in -> of(in[0].topk(2).values()), () -> of(awayFromZero(3, 4)));
    s.sample("topk", "smallest dim 0", in -> of(in[0].topk(2, 0, false, true).values()), () -> of(awayFromZero(3, 4)));
    s.sample("kthvalue", "", in -> of(in[0].kthvalue(2, 1, true).values()), () -> of(awayFromZero(3, 4)));
    s.sample("median", "", in -> of(in[0].median()), () -> of(awayFromZero(3, 4)));
    s.sample("nanmedian", "", in -> of(in[0].nanmedian()), () -> of(awayFromZero(3, 3)));
    s.sample("median_dim", "", in -> of(in[0].median(1).values()), () -> of(awayFromZero(3, 4)));
    s.sample("nanmedian_dim", "keepdim", in -> of(in[0].nanmedian(0, true).values()), () -> of(awayFromZero(3, 4)));
    s.sample("mode", "distinct values", in -> of(in[0].mode(1).values()), () -> of(awayFromZero(3, 4)));
  }

  /** Given values (zeros included), as a float64 leaf that requires grad. */
  static Tensor exact(double[] values, long... shape) {
    return Tensor.of(values, shape).requiresGrad(true);
  }

  static Tensor backwardData(String op, Tensor grad, Tensor output, int dim) {
    return Tensor.adopt(Core.call(Core.op(op), Frame.of(new long[] {grad.handle(), output.handle()}, new long[] {dim})));
  }
}
