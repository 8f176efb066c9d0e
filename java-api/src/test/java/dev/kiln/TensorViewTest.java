package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Views share memory with their base; reshape and contiguous copy only when they must. */
class TensorViewTest {
  /** 0, 1, ..., 23 as a [2, 3, 4] float32 tensor. */
  private static Tensor base() {
    return Tensor.arange(24).to(DType.FLOAT32).view(2, 3, 4);
  }

  /** Where the tensor's storage starts: equal for tensors that share memory. */
  private static long storage(Tensor t) {
    return t.dataAddress() - t.storageOffset() * t.dtype().itemSize();
  }

  @Test
  void everyViewSharesTheBasesMemory() {
    List<UnaryOperator<Tensor>> views = List.of(t -> t.view(6, 4), t -> t.view(-1), t -> t.reshape(4, 6),
        t -> t.transpose(0, 2), t -> t.permute(2, 0, 1), t -> t.narrow(1, 1, 2), t -> t.slice(2, 0, 4, 2),
        t -> t.unsqueeze(1), t -> t.unsqueeze(1).squeeze(), t -> t.unsqueeze(0).squeeze(0), t -> t.flatten(),
        t -> t.flatten(0, 1), t -> t.narrow(0, 0, 1).expand(5, 3, 4), t -> t.contiguous(), t -> t.to(DType.FLOAT32),
        t -> t.view(6, 4).t());
    for (UnaryOperator<Tensor> v : views) {
      Tensor b = base();
      Tensor view = v.apply(b);
      assertEquals(storage(b), storage(view), "a view must share memory: " + Arrays.toString(view.shape()));
      b.fill_(-1.0); // writes through the base show in the view
      for (float x : view.toFloatArray()) assertEquals(-1f, x);
    }
  }

  @Test
  void writesThroughAViewReachTheBase() {
    Tensor b = base();
    b.narrow(1, 1, 1).fill_(100.0);
    b.transpose(0, 2).narrow(0, 0, 1).zero_(); // [:, :, 0] = 0
    b.slice(2, 1, 4, 2).mul_(-1L);
    float[] v = b.toFloatArray();
    for (int i = 0; i < 24; i++) {
      int row = (i / 4) % 3, col = i % 4;
      float expected = col == 0 ? 0 : row == 1 ? 100 : i;
      if (col % 2 == 1) expected = -expected;
      assertEquals(expected, v[i], "element " + i);
    }
  }

  @Test
  void viewsHaveTheirOffsetAndStrides() {
    Tensor b = base();
    assertArrayEquals(new long[] {12, 4, 1}, b.stride());
    assertTrue(b.isContiguous());
    Tensor n = b.narrow(2, 1, 2);
    assertEquals(1, n.storageOffset());
    assertEquals(b.dataAddress() + 4, n.dataAddress());
    assertFalse(n.isContiguous());
    Tensor t = b.transpose(0, 2);
    assertArrayEquals(new long[] {4, 3, 2}, t.shape());
    assertArrayEquals(new long[] {1, 4, 12}, t.stride());
    assertEquals(12, t.stride(-1));
    Tensor s = b.slice(1, 1, 3, 2);
    assertArrayEquals(new long[] {2, 1, 4}, s.shape());
    assertArrayEquals(new long[] {12, 8, 1}, s.stride());
    assertEquals(4, s.storageOffset());
    Tensor e = Tensor.ones(3, 1).expand(2, 3, 5);
    assertArrayEquals(new long[] {0, 1, 0}, e.stride());
    Tensor u = b.unsqueeze(3);
    assertArrayEquals(new long[] {2, 3, 4, 1}, u.shape());
    assertEquals(1, u.stride(3));
  }

  @Test
  void reshapeCopiesOnlyWhenNoViewCanExpressIt() {
    Tensor b = base();
    Tensor same = b.reshape(4, 3, 2);
    assertEquals(b.dataAddress(), same.dataAddress());
    Tensor t = b.narrow(2, 0, 2); // [2, 3, 2], strides [12, 4, 1]: not contiguous
    Tensor viewable = t.reshape(6, 2); // merges dims 0 and 1, which are contiguous with each other
    assertEquals(storage(b), storage(viewable));
    assertArrayEquals(new long[] {4, 1}, viewable.stride());
    Tensor copy = t.reshape(-1);
    assertNotEquals(storage(b), storage(copy));
    assertTrue(copy.isContiguous());
    b.fill_(0.0); // the copy keeps the old values
    assertArrayEquals(new float[] {0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21}, copy.toFloatArray());
  }

  @Test
  void contiguousCopiesOnlyNonContiguousTensors() {
    Tensor b = base();
    assertEquals(b.dataAddress(), b.contiguous().dataAddress());
    Tensor c = b.permute(2, 1, 0).contiguous();
    assertTrue(c.isContiguous());
    assertNotEquals(storage(b), storage(c));
    assertArrayEquals(new long[] {6, 2, 1}, c.stride());
    assertArrayEquals(b.permute(2, 1, 0).toFloatArray(), c.toFloatArray());
  }

  @Test
  void cloneAndToAnotherDtypeAlwaysCopy() {
    Tensor b = base();
    Tensor c = b.clone();
    Tensor d = b.to(DType.FLOAT64);
    assertNotEquals(storage(b), storage(c));
    b.fill_(3.0);
    assertEquals(23f, c.toFloatArray()[23]);
    assertEquals(23.0, d.toDoubleArray()[23]);
  }

  @Test
  void aViewOutlivesItsClosedBase() {
    Tensor b = base();
    Tensor v = b.narrow(0, 1, 1).squeeze(0).t();
    b.close();
    assertTrue(b.isClosed());
    assertEquals(12f, v.toFloatArray()[0]);
    assertEquals(210f, (float) v.sum().item());
  }

  @Test
  void metadataAccessors() {
    Tensor b = base();
    assertEquals(3, b.dim());
    assertEquals(24, b.numel());
    assertEquals(4, b.size(-1));
    assertEquals(2, b.size(0));
    assertEquals(Device.CPU, b.device());
    long[] shape = b.shape();
    shape[0] = 99; // shape() hands out a copy
    assertArrayEquals(new long[] {2, 3, 4}, b.shape());
    IndexException e = assertThrows(IndexException.class, () -> b.size(3));
    assertTrue(e.getMessage().startsWith("size:") && e.getMessage().contains("3"), e.getMessage());
    assertThrows(IndexException.class, () -> b.size(-4));
    assertThrows(IndexException.class, () -> b.stride(3));
    Tensor s = Tensor.scalar(1.0);
    assertEquals(0, s.dim());
    assertArrayEquals(new long[0], s.shape());
    assertArrayEquals(new long[0], s.stride());
  }

  @Test
  void squeezeAndUnsqueezeRoundTrip() {
    Tensor x = Tensor.ones(1, 3, 1);
    assertArrayEquals(new long[] {3}, x.squeeze().shape());
    assertArrayEquals(new long[] {3, 1}, x.squeeze(0).shape());
    assertArrayEquals(new long[] {1, 3, 1}, x.squeeze(1).shape()); // size 3: left alone
    assertArrayEquals(new long[] {1, 3, 1, 1}, x.unsqueeze(-1).shape());
  }

  @Test
  void expandAsTakesTheOtherShape() {
    Tensor x = Tensor.of(new float[] {1, 2}, 2, 1);
    Tensor e = x.expandAs(Tensor.zeros(3, 2, 4));
    assertArrayEquals(new long[] {3, 2, 4}, e.shape());
    assertEquals(storage(x), storage(e));
  }

  @Test
  void gatherAndScatterOnLargeTensors() {
    Tensor src = Tensor.arange(600 * 700).to(DType.FLOAT32).view(600, 700);
    Tensor index = Tensor.arange(699, -1, -1).view(1, 700).expand(600, 700); // 699, ..., 0 in every row
    float[] g = src.gather(1, index).toFloatArray();
    float[] s = Tensor.zeros(600, 700).scatter(1, index, src).toFloatArray();
    for (int i = 0; i < 600; i++) {
      for (int j = 0; j < 700; j++) {
        assertEquals(i * 700 + 699 - j, g[i * 700 + j], "gather at " + i + "," + j);
        assertEquals(i * 700 + 699 - j, s[i * 700 + j], "scatter at " + i + "," + j);
      }
    }
    float[] sums = Tensor.zeros(3, 700).scatterAdd(0, Tensor.zeros(DType.INT64, 600, 700), Tensor.ones(600, 700))
        .toFloatArray();
    for (int j = 0; j < 2100; j++) assertEquals(j < 700 ? 600 : 0, sums[j], "element " + j);
  }

  @Test
  void viewThatNoLayoutAllowsIsAShapeError() {
    Tensor t = base().transpose(0, 1);
    ShapeException e = assertThrows(ShapeException.class, () -> t.view(24));
    assertTrue(e.getMessage().startsWith("view:") && e.getMessage().contains("[3, 2, 4]")
        && e.getMessage().contains("reshape"), e.getMessage());
    assertArrayEquals(new long[] {24}, t.reshape(24).shape());
  }
}
