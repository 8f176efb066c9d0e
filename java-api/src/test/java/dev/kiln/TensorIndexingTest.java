package dev.kiln;

import static dev.kiln.Index.all;
import static dev.kiln.Index.ellipsis;
import static dev.kiln.Index.from;
import static dev.kiln.Index.list;
import static dev.kiln.Index.mask;
import static dev.kiln.Index.newAxis;
import static dev.kiln.Index.of;
import static dev.kiln.Index.slice;
import static dev.kiln.Index.to;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Python-style get and set, the Index vocabulary, the indexing and joining ops, and what bad input does. */
class TensorIndexingTest {
  /** 0, 1, ..., 11 as a [3, 4] float32 tensor. */
  private static Tensor base() {
    return Tensor.arange(12).to(DType.FLOAT32).view(3, 4);
  }

  private static long storage(Tensor t) {
    return t.dataAddress() - t.storageOffset() * t.dtype().itemSize();
  }

  @Test
  void indexItemsPrintAsPython() {
    assertEquals("[1:, None, ..., ::2, 3, :5, 1:-1:3, tensor]", List.of(from(1), newAxis(), ellipsis(),
        all().step(2), of(3), to(5), slice(1, -1, 3), list(0, 1)).toString());
    assertThrows(IllegalArgumentException.class, () -> of(1).step(2));
    assertThrows(NullPointerException.class, () -> of((Tensor) null));
  }

  @Test
  void basicIndexingGivesViews() {
    Tensor x = base();
    Tensor v = x.get(from(1), newAxis(), ellipsis(), all().step(2)); // x[1:, None, ..., ::2]
    assertArrayEquals(new long[] {2, 1, 2}, v.shape());
    assertArrayEquals(new float[] {4, 6, 8, 10}, v.toFloatArray());
    assertEquals(storage(x), storage(v));
    assertArrayEquals(new float[] {9}, new float[] {(float) x.get(2, 1).item()});
    assertArrayEquals(new float[] {8, 9, 10, 11}, x.get(-1).toFloatArray());
    x.get(0).fill_(-1.0); // writes through the view reach x
    assertArrayEquals(new float[] {-1, -1, -1, -1}, x.get(to(1)).toFloatArray());
  }

  @Test
  void advancedIndexingGathersWithNumpyPlacement() {
    Tensor x = Tensor.arange(24).view(2, 3, 4);
    assertArrayEquals(new long[] {2, 3}, x.get(list(1, 0), all(), list(3, 0)).shape()); // separated: first
    assertArrayEquals(new long[] {2, 2}, x.get(all(), list(0, 2), list(1, 3)).shape()); // adjacent: in place
    assertArrayEquals(new long[] {15, 19, 23, 0, 4, 8}, x.get(list(1, 0), all(), list(-1, 0)).toLongArray());
    Tensor m = x.get(of(0)).gt(Tensor.scalar(9L));
    assertArrayEquals(new long[] {10, 11}, x.get(of(0)).get(of(m)).toLongArray());
    assertArrayEquals(new long[] {0, 3, 4}, x.get(mask(false, false)).shape()); // empty result
    assertArrayEquals(new long[] {1, 2, 3, 4}, x.get(of(Tensor.scalar(true))).shape());
    assertNotEquals(storage(x), storage(x.get(list(0))));
  }

  @Test
  void setWritesAndReturnsTheTensor() {
    Tensor x = base();
    assertSame(x, x.set(0.0, of(x.gt(Tensor.scalar(8.0)))));             // x[x > 8] = 0
    assertSame(x, x.set(Tensor.of(new float[] {7, 7, 7}), all(), of(0))); // x[:, 0] = [7, 7, 7]
    x.set(-1L, 1, 1);                                                      // x[1, 1] = -1
    x.set(Tensor.of(new float[] {5, 6}), list(2, 0), of(3));               // x[[2, 0], 3] = [5, 6]
    assertArrayEquals(new float[] {7, 1, 2, 6, 7, -1, 6, 7, 7, 0, 0, 5}, x.toFloatArray());
    Tensor i = Tensor.zeros(DType.INT64, 3);
    i.set(2.9, of(1)); // converted to the tensor's dtype, as Python does
    assertArrayEquals(new long[] {0, 2, 0}, i.toLongArray());
  }

  @Test
  void scatterAndScatterAddInPlace() {
    Tensor x = Tensor.zeros(2, 3);
    Tensor index = Tensor.of(new long[] {2, 0, 2, 1, 1, 1}, 2, 3);
    Tensor src = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertSame(x, x.scatterAdd_(1, index, src)); // repeated targets add up
    assertArrayEquals(new float[] {2, 0, 4, 0, 15, 0}, x.toFloatArray());
    assertSame(x, x.scatter_(0, Tensor.of(new long[] {1, 0, 1}, 1, 3), src));
    assertArrayEquals(new float[] {2, 2, 4, 1, 15, 3}, x.toFloatArray());
  }

  @Test
  void joiningAndSplitting() {
    Tensor x = base();
    Tensor c = Tensor.cat(List.of(x, x.get(to(1))), 0);
    assertArrayEquals(new long[] {4, 4}, c.shape());
    assertArrayEquals(new long[] {2, 3, 4}, Tensor.stack(x, x).shape());
    List<Tensor> parts = x.split(3, 1);
    assertEquals(2, parts.size());
    assertArrayEquals(new long[] {3, 1}, parts.get(1).shape());
    assertEquals(storage(x), storage(parts.get(1)));
    assertEquals(3, x.unbind().size());
    assertEquals(0, Tensor.zeros(2, 0).unbind(1).size());
    assertEquals(2, x.chunk(3, 1).size());
    assertArrayEquals(new float[] {3, 7, 11}, x.split(new long[] {3, 1}, 1).get(1).flatten().toFloatArray());
    assertThrows(UnsupportedOperationException.class, () -> parts.add(x)); // an unmodifiable list
  }

  @Test
  void nonzeroAsTupleIsOneTensorPerDim() {
    Tensor x = Tensor.of(new float[] {0, 3, 0, 4}, 2, 2);
    List<Tensor> t = x.nonzeroAsTuple();
    assertEquals(2, t.size());
    assertArrayEquals(new long[] {0, 1}, t.get(0).toLongArray());
    assertArrayEquals(new long[] {1, 1}, t.get(1).toLongArray());
    assertEquals(1, Tensor.scalar(2.0).nonzeroAsTuple().size());
  }

  /** Runs bad, expects the exception type with the op's name in its message, and x unchanged. */
  private static void refused(Class<? extends RuntimeException> type, String fragment, Tensor x, Supplier<?> bad) {
    float[] before = x.toFloatArray();
    RuntimeException e = assertThrows(type, bad::get);
    assertTrue(e.getMessage().contains(fragment), () -> "message without '" + fragment + "': " + e.getMessage());
    assertArrayEquals(before, x.toFloatArray(), "the input must be unchanged");
  }

  @Test
  void badIndicesRaiseTypedErrorsAndChangeNothing() {
    Tensor x = base();
    refused(IndexException.class, "getitem: select: index 3 out of range", x, () -> x.get(3));
    refused(IndexException.class, "too many indices for tensor of dimension 2", x, () -> x.get(0, 0, 0));
    refused(IndexException.class, "index 4 is out of bounds for dimension 0 with size 3", x, () -> x.get(list(0, 4)));
    refused(IndexException.class, "index -4 is out of bounds", x, () -> x.set(1.0, list(1, -4)));
    refused(IndexException.class, "the shape of the mask [2] at index 0 does not match", x, () -> x.get(mask(true, false)));
    refused(IndexException.class, "shape mismatch: indexing tensors could not be broadcast", x,
        () -> x.get(list(0, 1), list(0, 1, 2)));
    refused(IndexException.class, "int64 or bool", x, () -> x.get(of(Tensor.of(new float[] {0}))));
    refused(ArgumentException.class, "slice step must be positive", x, () -> x.get(all().step(0)));
    refused(ShapeException.class, "setitem", x, () -> x.set(Tensor.zeros(3), of(0)));
    refused(DTypeException.class, "index_put: the source and destination dtypes must match", x,
        () -> x.set(Tensor.zeros(DType.FLOAT64, 4), list(0)));
    refused(IndexException.class, "index_select: index 3 is out of bounds", x, () -> x.indexSelect(0, Tensor.of(new long[] {3})));
    refused(IndexException.class, "index_add: index -1 is out of bounds", x,
        () -> x.indexAdd_(0, Tensor.of(new long[] {-1}), Tensor.ones(1, 4)));
    refused(IndexException.class, "scatter_reduce: index 9 is out of bounds", x,
        () -> x.scatterReduce_(1, Tensor.of(new long[] {9}, 1, 1), Tensor.ones(1, 1), "amax"));
    refused(IndexException.class, "scatter: index 9 is out of bounds", x,
        () -> x.scatter_(1, Tensor.of(new long[] {0, 9}, 1, 2), Tensor.ones(1, 2)));
    refused(IndexException.class, "scatter_add: index -1 is out of bounds", x,
        () -> x.scatterAdd_(0, Tensor.of(new long[] {0, -1}, 1, 2), Tensor.ones(1, 2)));
    refused(ArgumentException.class, "reduce argument must be either", x,
        () -> x.scatterReduce(0, Tensor.of(new long[] {0}, 1, 1), Tensor.ones(1, 1), "max"));
    refused(DTypeException.class, "masked_fill: expected a bool mask", x, () -> x.maskedFill_(Tensor.ones(4), 1.0));
    refused(ShapeException.class, "masked_fill: mask of shape [3, 4] cannot be broadcast to the tensor of shape [4]",
        x.get(0), () -> x.get(0).maskedFill_(x.gt(Tensor.scalar(2.0)), 1.0));
    refused(IndexException.class, "one_hot: class values must be non-negative", x, () -> Tensor.of(new long[] {-1}).oneHot());
    refused(ShapeException.class, "cat: sizes of tensors must match except in dimension 0", x,
        () -> Tensor.cat(x, Tensor.zeros(2, 3)));
    refused(ShapeException.class, "split_with_sizes: expects split_sizes to sum exactly to 4", x,
        () -> x.split(new long[] {1, 1}, 1));
    refused(ArgumentException.class, "pad: unrecognised padding mode 'wrap'", x, () -> x.pad(new long[] {1, 1}, "wrap"));
    refused(NotImplementedException.class, "needs a 3-D or 4-D input", x, () -> x.pad(new long[] {1, 1, 1, 1}, "reflect"));
    refused(IndexException.class, "select: index -5 out of range", x, () -> x.select(1, -5));
  }
}
