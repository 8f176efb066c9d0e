package dev.kiln.autograd;

import static dev.kiln.Index.all;
import static dev.kiln.Index.ellipsis;
import static dev.kiln.Index.from;
import static dev.kiln.Index.list;
import static dev.kiln.Index.newAxis;
import static dev.kiln.autograd.GradSamples.awayFromZero;
import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.Index;
import dev.kiln.Tensor;
import java.util.List;

/**
 * gradcheck samples: joining and splitting, rearranging, padding, indexing along a dim, scatter_reduce,
 * advanced and Python-style indexing, and in-place writes through views (setitem on a non-leaf).
 */
final class IndexingGradSamples {
  private IndexingGradSamples() {}

  private static Tensor idx(long... v) {
    return Tensor.of(v);
  }

  private static Tensor mask(boolean[] v, long... shape) {
    return Tensor.of(v, shape);
  }

  static void register(GradSamples s) {
    s.sample("cat", "dim 1, three inputs", in -> of(Tensor.cat(List.of(in[0], in[1], in[2]), 1)),
        () -> of(randn(2, 1), randn(2, 3), randn(2, 2)));
    s.sample("stack", "new last dim", in -> of(Tensor.stack(List.of(in[0], in[1]), -1)), () -> of(randn(2, 3), randn(2, 3)));
    s.sample("split", "all pieces", in -> in[0].split(2, 1).toArray(new Tensor[0]), () -> of(randn(2, 5)));
    s.sample("split_with_sizes", "", in -> in[0].split(new long[] {1, 3}, 0).toArray(new Tensor[0]), () -> of(randn(4, 2)));
    s.sample("chunk", "", in -> in[0].chunk(3).toArray(new Tensor[0]), () -> of(randn(5)));
    s.sample("unbind", "", in -> in[0].unbind(1).toArray(new Tensor[0]), () -> of(randn(2, 3)));
    s.sample("flip", "", in -> of(in[0].flip(0, 2)), () -> of(randn(2, 3, 2)));
    s.sample("roll", "two dims", in -> of(in[0].roll(new long[] {1, -2}, new int[] {0, 1})), () -> of(randn(3, 4)));
    s.sample("repeat", "new dim", in -> of(in[0].repeat(2, 1, 3)), () -> of(randn(2, 2)));
    s.sample("tile", "", in -> of(in[0].tile(2)), () -> of(randn(2, 3)));
    s.sample("tril", "", in -> of(in[0].tril(-1)), () -> of(randn(3, 4)));
    s.sample("triu", "batch", in -> of(in[0].triu(1)), () -> of(randn(2, 3, 3)));
    s.sample("diagonal", "offset", in -> of(in[0].diagonal(1, 2, 0)), () -> of(randn(3, 2, 4)));
    s.sample("diagonal_scatter", "", in -> of(in[0].diagonalScatter(in[1], -1, 0, 1)), () -> of(randn(3, 3), randn(2)));
    s.sample("diag", "vector", in -> of(in[0].diag(1)), () -> of(randn(3)));
    s.sample("diag", "matrix", in -> of(in[0].diag(-1)), () -> of(randn(3, 4)));
    s.sample("constant_pad_nd", "pad and crop", in -> of(in[0].pad(new long[] {2, -1, 0, 1}, 1.5)), () -> of(randn(2, 3)));
    s.sample("pad", "constant", in -> of(in[0].pad(1, 1)), () -> of(randn(2, 2)));
    s.sample("reflection_pad", "", in -> of(in[0].pad(new long[] {2, 1}, "reflect")), () -> of(randn(1, 2, 4)));
    s.sample("replication_pad", "2 dims", in -> of(in[0].pad(new long[] {1, 2, 2, 0}, "replicate")), () -> of(randn(1, 2, 3)));
    s.sample("circular_pad", "", in -> of(in[0].pad(new long[] {1, 2}, "circular")), () -> of(randn(1, 2, 3)));
    // The pads' gradient as an op (ints: mode, rank, input shape, pads): its derivative is the pad again.
    s.sample("indexed_pad_backward", "reflect, 2 dims",
        in -> ActivationGradSamples.op("indexed_pad_backward", in, new long[] {1, 3, 1, 3, 4, 1, 2, 2, 1}),
        () -> of(randn(1, 6, 7)));
    s.sample("indexed_pad_backward", "circular, 1 dim",
        in -> ActivationGradSamples.op("indexed_pad_backward", in, new long[] {3, 2, 2, 3, 2, 1}),
        () -> of(randn(2, 6)));
    s.sample("select", "", in -> of(in[0].select(1, -1)), () -> of(randn(2, 3)));
    s.sample("index_select", "repeated", in -> of(in[0].indexSelect(0, idx(2, 0, 2))), () -> of(randn(3, 2)));
    s.sample("index_add", "duplicates and alpha", in -> of(in[0].indexAdd(1, idx(0, 0, 2), in[1], 0.5)),
        () -> of(randn(2, 3), randn(2, 3)));
    s.sample("take_along_dim", "", in -> of(in[0].takeAlongDim(Tensor.of(new long[] {1, 0, 2, 2}, 2, 2), 1)),
        () -> of(randn(2, 3)));
    Tensor scatterIndex = Tensor.of(new long[] {0, 1, 0, 2, 2, 1}, 2, 3);
    for (String reduce : List.of("sum", "prod", "mean", "amax", "amin")) {
      for (boolean self : new boolean[] {true, false}) {
        s.sample("scatter_reduce", reduce + (self ? "" : " without self"),
            in -> of(in[0].scatterReduce(0, scatterIndex, in[1], reduce, self)),
            () -> of(awayFromZero(3, 3), awayFromZero(2, 3)));
      }
    }
    s.sample("index", "pair with duplicates", in -> of(in[0].get(Index.of(idx(2, 0, 2)), Index.of(idx(1, 1, 0)))),
        () -> of(randn(3, 2)));
    s.sample("index_put", "accumulate duplicates", in -> of(in[0].indexPut(new Tensor[] {idx(0, 2, 0)}, in[1], true)),
        () -> of(randn(3, 2), randn(3, 2)));
    s.sample("index_put", "overwrite", in -> of(in[0].indexPut(new Tensor[] {null, idx(1, 0)}, in[1])),
        () -> of(randn(2, 3), randn(2)));
    s.sample("masked_fill", "tensor value", in -> of(in[0].maskedFill(mask(new boolean[] {true, false, true}, 3), in[1])),
        () -> of(randn(2, 3), randn()));
    s.sample("masked_select", "broadcast", in -> of(in[0].maskedSelect(mask(new boolean[] {true, false, false, true}, 2, 2))),
        () -> of(randn(2)));
    s.sample("getitem", "basic", in -> of(in[0].get(from(1), newAxis(), ellipsis(), Index.of(0))), () -> of(randn(3, 2, 2)));
    s.sample("getitem", "advanced", in -> of(in[0].get(list(1, -1), all(), Index.of(mask(new boolean[] {true, false, true}, 3)))),
        () -> of(randn(3, 2, 3)));
    s.sample("setitem", "basic, on a non-leaf", in -> of(in[0].mul(1).set(in[1].mul(in[1]), all(), Index.of(1))),
        () -> of(randn(2, 3), randn(2)));
    s.sample("setitem", "advanced", in -> of(in[0].mul(1).set(in[1], Index.of(idx(2, 0)), from(1))),
        () -> of(randn(3, 3), randn(2, 2)));
    s.sample("mul", "in place on a view of a view of a non-leaf", in -> {
      Tensor y = in[0].mul(2);
      y.select(0, 1).narrow(0, 1, 2).mul_(in[1]);
      return of(y.tanh());
    }, () -> of(randn(3, 3), randn(2)));
  }
}
