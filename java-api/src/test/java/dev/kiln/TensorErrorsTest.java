package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input of each kind gives its typed exception, with a message that names the op and what was wrong,
 * and leaves the inputs as they were.
 */
class TensorErrorsTest {
  private static <T extends Throwable> void assertError(Class<T> type, Executable call, String... parts) {
    T e = assertThrows(type, call);
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
  }

  @Test
  void wrongShapes() {
    Tensor a = Tensor.ones(2, 3);
    assertError(ShapeException.class, () -> a.add(Tensor.ones(4)), "add:", "[2, 3]", "[4]");
    assertError(ShapeException.class, () -> a.mul_(Tensor.ones(3, 3)), "mul:", "[2, 3]", "[3, 3]");
    assertError(ShapeException.class, () -> a.view(4), "view:", "[4]", "6");
    assertError(ShapeException.class, () -> a.reshape(5, -1), "reshape:", "[5, -1]", "6");
    assertError(ShapeException.class, () -> a.expand(3, 4), "expand:", "[3, 4]", "[2, 3]");
    assertError(ShapeException.class, () -> a.permute(0), "permute:", "[2, 3]");
    assertError(ShapeException.class, () -> Tensor.ones(2, 2, 2).t(), "t:", "[2, 2, 2]");
    assertError(ShapeException.class, () -> a.copy_(Tensor.ones(2, 2)), "copy_:", "[2, 2]", "[2, 3]");
    assertError(ShapeException.class, () -> Tensor.where(Tensor.ones(DType.BOOL, 4), a, a), "where:", "[4]");
    assertError(ShapeException.class, () -> a.gather(1, Tensor.zeros(DType.INT64, 3, 1)), "gather:", "[3, 1]");
  }

  @Test
  void dimsOutOfRange() {
    Tensor a = Tensor.ones(2, 3);
    assertError(IndexException.class, () -> a.sum(2), "sum:", "[-2, 1]", "2");
    assertError(IndexException.class, () -> a.transpose(0, -3), "transpose:", "-3");
    assertError(IndexException.class, () -> a.unsqueeze(3), "unsqueeze:", "[-3, 2]");
    assertError(IndexException.class, () -> a.squeeze(5), "squeeze:");
    assertError(IndexException.class, () -> a.max(2), "max:");
    assertError(IndexException.class, () -> a.argmin(7, true), "argmin:");
    assertError(IndexException.class, () -> a.narrow(2, 0, 1), "narrow:");
    assertError(IndexException.class, () -> a.narrow(1, 2, 2), "narrow:", "exceeds");
    assertError(IndexException.class, () -> a.flatten(0, 5), "flatten:");
    assertError(IndexException.class, () -> a.size(2), "size:");
    assertError(IndexException.class, () -> a.gather(0, Tensor.of(new long[] {0, 2, 0}, 1, 3)), "gather:", "index 2",
        "size 2");
    assertError(IndexException.class, () -> a.scatterAdd(1, Tensor.of(new long[] {-1}, 1, 1), Tensor.ones(1, 1)),
        "scatter_add:", "-1");
  }

  @Test
  void wrongDtypes() {
    Tensor ints = Tensor.of(new long[] {1, 2, 3}), bools = Tensor.of(new boolean[] {true, false, true});
    assertError(DTypeException.class, ints::mean, "mean:", "int64");
    assertError(DTypeException.class, () -> ints.exp_(), "exp:", "float32", "int64");
    assertError(DTypeException.class, () -> ints.add_(0.5), "add:", "float32", "int64");
    assertError(DTypeException.class, () -> bools.sub(bools), "sub:", "bool");
    assertError(DTypeException.class, bools::neg, "neg:", "bool");
    assertError(DTypeException.class, () -> Tensor.where(ints, ints, ints), "where:", "int64");
    assertError(DTypeException.class, () -> ints.gather(0, Tensor.zeros(1)), "gather:", "int64", "float32");
    assertError(DTypeException.class, () -> ints.scatter(0, Tensor.zeros(DType.INT64, 1), Tensor.ones(1)),
        "scatter:", "int64", "float32");
    assertError(DTypeException.class, () -> Tensor.arange(DType.BOOL, 0, 2, 1), "arange:", "bool");
  }

  @Test
  void badArgumentValues() {
    assertError(ArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2), "tensor:", "3", "[2, 2]");
    assertError(ArgumentException.class, () -> Tensor.of(new long[0], -1), "tensor:", "[-1]");
    assertError(ArgumentException.class, () -> Tensor.arange(0, 5, 0), "arange:", "step");
    assertError(ArgumentException.class, () -> Tensor.arange(0, 5, -1), "arange:");
    assertError(ArgumentException.class, () -> Tensor.ones(3).slice(0, 0, 3, 0), "slice:", "step");
    assertError(ArgumentException.class, () -> Tensor.ones(3).view(-1, -1), "view:", "one dimension");
    assertError(ArgumentException.class, () -> Tensor.ones(2, 3).permute(1, 1), "permute:", "repeated");
    assertError(ArgumentException.class, () -> Tensor.ones(3).item(), "item:", "3 elements");
    assertError(ArgumentException.class, () -> Tensor.ones(3).itemLong(), "itemLong:");
    assertError(ArgumentException.class, () -> Tensor.of(new long[] {2}).pow(-1L), "pow:", "negative");
    assertError(ArgumentException.class, () -> Tensor.ones(1, 3).expand(2, 3).add_(1.0), "add_:", "clone()");
    assertThrows(IllegalArgumentException.class, () -> Kiln.setNumThreads(0));
    assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
  }

  @Test
  void inputsAreUnchangedAfterAnError() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor ints = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
    List<Executable> bad = List.of(() -> x.add_(Tensor.ones(3, 3)), () -> ints.add_(Tensor.ones(2, 3)),
        () -> ints.mul_(2.5), () -> x.copy_(Tensor.ones(4)), () -> x.t().view(6),
        () -> x.scatter(1, Tensor.of(new long[] {0, 5}, 1, 2), Tensor.ones(1, 2)),
        () -> x.scatterAdd(0, Tensor.of(new long[] {1, 0, 7}, 1, 3), Tensor.ones(1, 3)),
        () -> ints.scatter(1, Tensor.of(new long[] {0, 1, 9}, 1, 3), ints), () -> x.expand(3, 2, 3).relu_(),
        () -> x.narrow(1, 0, 2).div_(Tensor.ones(3)), () -> ints.narrow(0, 1, 1).exp_());
    for (Executable call : bad) {
      assertThrows(KilnException.class, call);
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, x.toFloatArray());
      assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, ints.toLongArray());
    }
  }

  @Test
  void everyKindIsAKilnException() {
    for (Class<?> c : List.of(ArgumentException.class, ShapeException.class, DTypeException.class,
        IndexException.class, AutogradException.class, DeviceException.class, NotImplementedException.class,
        NativeOutOfMemoryException.class))
      assertTrue(KilnException.class.isAssignableFrom(c), c.getName());
    assertTrue(RuntimeException.class.isAssignableFrom(KilnException.class));
  }

  @Test
  void closedTensorsThrowIllegalStateException() {
    Tensor x = Tensor.ones(2);
    Tensor y = Tensor.ones(2);
    x.close();
    x.close(); // harmless
    assertTrue(x.isClosed());
    assertEquals("tensor(<closed>)", x.toString());
    List<Executable> uses = List.of(x::handle, x::neg, () -> x.add(y), () -> y.add(x), () -> y.add_(x), x::sum,
        x::toFloatArray, x::dtype, x::stride, x::isContiguous, x::dataAddress, () -> x.view(2),
        () -> Tensor.where(Tensor.ones(DType.BOOL, 2), x, y), () -> y.matmul(x), () -> Tensor.zerosLike(x));
    for (Executable use : uses) {
      IllegalStateException e = assertThrows(IllegalStateException.class, use);
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
    assertArrayEquals(new float[] {1, 1}, y.toFloatArray());
  }

  @Test
  void errorsOnManyThreadsKeepTheirKind() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        boolean shape = t % 2 == 0;
        results.add(pool.submit(() -> {
          try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.ones(2, 3);
            for (int i = 0; i < 300; i++) {
              if (shape) assertThrows(ShapeException.class, () -> a.add(Tensor.ones(5)));
              else assertThrows(IndexException.class, () -> a.sum(9));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : results) f.get();
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void theCoreIsFineAfterManyErrors() {
    Tensor a = Tensor.ones(2, 3);
    for (int i = 0; i < 1000; i++) assertThrows(KilnException.class, () -> a.matmul(a));
    assertEquals(6.0, a.sum().item());
  }
}
