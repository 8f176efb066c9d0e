package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.awayFromZero;
import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.randn;

/** gradcheck samples: reductions. */
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
  }
}
