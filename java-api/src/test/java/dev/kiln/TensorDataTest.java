package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Getting data out (item, toXxxArray, toString), dtype metadata, and the lifetime of native memory. */
class TensorDataTest {
  @Test
  void itemConvertsOneElement() {
    assertEquals(2.5, Tensor.scalar(2.5).item());
    assertEquals(7.0, Tensor.of(new long[] {7}).item());
    assertEquals(1.0, Tensor.scalar(true).item());
    assertEquals(-2, Tensor.scalar(-2.9).itemLong()); // truncated toward zero
    assertEquals(Long.MAX_VALUE, Tensor.scalar(Long.MAX_VALUE).itemLong());
    assertTrue(Tensor.of(new float[] {0.25f}, 1, 1).itemBoolean());
    assertFalse(Tensor.scalar(0L).itemBoolean());
    assertTrue(Double.isNaN(Tensor.scalar(Double.NaN).item()));
    assertThrows(ArgumentException.class, () -> Tensor.zeros(0).item());
  }

  @Test
  void arraysConvertEveryDtype() {
    Tensor f = Tensor.of(new float[] {1.5f, -2.5f, 0f, Float.NaN});
    assertArrayEquals(new double[] {1.5, -2.5, 0, Double.NaN}, f.toDoubleArray());
    assertArrayEquals(new long[] {1, -2, 0, Long.MIN_VALUE}, f.toLongArray()); // NaN: as x86 converts it
    assertArrayEquals(new boolean[] {true, true, false, true}, f.toBooleanArray());
    Tensor l = Tensor.of(new long[] {16777217, -1});
    assertArrayEquals(new float[] {16777216f, -1f}, l.toFloatArray());
    assertArrayEquals(new double[] {16777217, -1}, l.toDoubleArray());
    Tensor b = Tensor.of(new boolean[] {true, false});
    assertArrayEquals(new float[] {1, 0}, b.toFloatArray());
    assertArrayEquals(new long[] {1, 0}, b.toLongArray());
    Tensor d = Tensor.of(new double[] {1e300, 0.1});
    assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 0.1f}, d.toFloatArray());
  }

  @Test
  void arraysAreInRowMajorOrderOfTheView() {
    Tensor x = Tensor.arange(6).view(2, 3);
    assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, x.t().toLongArray());
    assertArrayEquals(new long[] {2, 5}, x.narrow(1, 2, 1).toLongArray());
    assertArrayEquals(new long[] {3, 4, 5, 3, 4, 5}, x.narrow(0, 1, 1).expand(2, 3).toLongArray());
    assertEquals(0, Tensor.zeros(4, 0).toFloatArray().length);
  }

  @Test
  void dtypeMetadata() {
    assertEquals(4, DType.FLOAT32.itemSize());
    assertEquals(8, DType.FLOAT64.itemSize());
    assertEquals(8, DType.INT64.itemSize());
    assertEquals(1, DType.BOOL.itemSize());
    assertTrue(DType.FLOAT64.isFloatingPoint());
    assertFalse(DType.INT64.isFloatingPoint());
    assertEquals("float32", DType.FLOAT32.toString());
    assertEquals("bool", DType.BOOL.toString());
    for (DType t : DType.values()) assertEquals(t, Tensor.zeros(t, 1).dtype());
    assertEquals("cpu", Tensor.ones(1).device().toString());
  }

  @Test
  void toStringOfCommonTensors() {
    assertEquals("tensor([1., 2., 3.])", Tensor.of(new float[] {1, 2, 3}).toString());
    assertEquals("tensor([[1, 2],\n        [3, 4]])", Tensor.arange(1, 5).view(2, 2).toString());
    assertEquals("tensor([ True, False])", Tensor.of(new boolean[] {true, false}).toString());
    assertEquals("tensor(0.5000, dtype=torch.float64)", Tensor.scalar(0.5, DType.FLOAT64).toString());
    assertEquals("tensor([], size=(0, 3), dtype=torch.int64)", Tensor.zeros(DType.INT64, 0, 3).toString());
  }

  @Test
  void closeTwiceIsHarmless() {
    Tensor x = Tensor.ones(3);
    long live = Kiln.memoryStats().liveTensors();
    x.close();
    assertEquals(live - 1, Kiln.memoryStats().liveTensors());
    x.close();
    assertEquals(live - 1, Kiln.memoryStats().liveTensors());
    assertTrue(x.isClosed());
    ValuesAndIndices m = Tensor.ones(2, 2).max(0);
    m.close();
    m.close();
  }

  @Test
  void metadataOfAClosedTensorThrowsToo() {
    Tensor x = Tensor.ones(DType.INT64, 2, 3);
    assertEquals(6, x.numel()); // caches shape and dtype
    assertEquals(DType.INT64, x.dtype());
    x.close();
    List<Executable> uses = List.of(x::shape, x::dtype, x::dim, x::numel, () -> x.size(0), x::stride, x::device,
        x::storageOffset, x::item);
    for (Executable use : uses) assertThrows(IllegalStateException.class, use);
  }

  @Test
  void aScopeClosesWhatWasCreatedInIt() {
    Tensor outside = Tensor.ones(2);
    Tensor inside, kept, nestedKept;
    try (TensorScope scope = TensorScope.open()) {
      inside = outside.add(1L);
      kept = scope.keep(inside.mul(2L));
      try (TensorScope inner = TensorScope.open()) {
        nestedKept = inner.keep(kept.neg());
      }
      assertFalse(nestedKept.isClosed(), "kept by the inner scope: now the outer scope's");
    }
    assertTrue(inside.isClosed());
    assertTrue(nestedKept.isClosed());
    assertFalse(kept.isClosed());
    assertFalse(outside.isClosed());
    assertArrayEquals(new float[] {4, 4}, kept.toFloatArray());
    Tensor r = TensorScope.run(() -> outside.add(outside).sum());
    assertEquals(4.0, r.item());
  }

  @Test
  void closingAScopeTwiceAndClosingItsTensorsEarlyAreHarmless() {
    TensorScope scope = TensorScope.open();
    Tensor t = Tensor.ones(2);
    t.close();
    scope.close();
    scope.close();
    assertTrue(t.isClosed());
  }

  @Test
  void aScopeBelongsToItsThread() throws InterruptedException {
    TensorScope scope = TensorScope.open();
    Tensor[] made = new Tensor[1];
    Throwable[] closing = new Throwable[1];
    Thread other = new Thread(() -> {
      made[0] = Tensor.ones(2); // not registered in this thread's scope: another thread's scope is not ours
      try {
        scope.close();
      } catch (Throwable t) {
        closing[0] = t;
      }
    });
    other.start();
    other.join();
    assertTrue(closing[0] instanceof IllegalStateException, "closing from another thread: " + closing[0]);
    scope.close();
    assertFalse(made[0].isClosed());
  }

  @Test
  void toTheSameDtypeIsANewHandleOnTheSameMemory() {
    Tensor x = Tensor.ones(3);
    Tensor y = x.to(DType.FLOAT32);
    assertNotSame(x, y);
    assertEquals(x.dataAddress(), y.dataAddress());
    y.close();
    assertFalse(x.isClosed());
    assertEquals(3.0, x.sum().item());
    Tensor z = x.add_(1L);
    assertSame(x, z);
  }

  @Test
  void unreachableTensorsAreReleasedByTheCollector() throws InterruptedException {
    long before = Kiln.memoryStats().liveTensors();
    for (int i = 0; i < 20_000; i++) Tensor.ones(16).add(1L); // never closed
    for (int attempt = 0; attempt < 50 && Kiln.memoryStats().liveTensors() > before + 1000; attempt++) {
      System.gc();
      Thread.sleep(20);
      Tensor.ones(1).close(); // tensor creation releases what the collector found
    }
    assertTrue(Kiln.memoryStats().liveTensors() <= before + 1000,
        "live tensors: " + Kiln.memoryStats().liveTensors() + ", before: " + before);
  }
}
