package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.internal.NativeDType;
import org.junit.jupiter.api.Test;

/**
 * The dtypes int32, int16, int8, uint8, float16 and bfloat16 from Java: their codes, making tensors from int,
 * byte and short arrays, reading them back, promotion through the Java overloads, printing, and bad input.
 */
class TensorDTypesTest {
  @Test
  void codesMatchTheNativeCore() {
    assertEquals(NativeDType.INT32, DType.INT32.code());
    assertEquals(NativeDType.INT16, DType.INT16.code());
    assertEquals(NativeDType.INT8, DType.INT8.code());
    assertEquals(NativeDType.UINT8, DType.UINT8.code());
    assertEquals(NativeDType.FLOAT16, DType.FLOAT16.code());
    assertEquals(NativeDType.BFLOAT16, DType.BFLOAT16.code());
    for (DType t : DType.values()) {
      try (Tensor z = Tensor.zeros(t, 2)) {
        assertEquals(t, z.dtype(), "the native dtype of zeros(" + t + ")");
      }
    }
    assertEquals("bfloat16", DType.BFLOAT16.toString());
    assertEquals(2, DType.FLOAT16.itemSize());
    assertTrue(DType.BFLOAT16.isFloatingPoint() && DType.UINT8.isIntegral() && !DType.BOOL.isIntegral());
  }

  @Test
  void intArraysMakeInt32() {
    Tensor t = Tensor.of(new int[] {1, -2, Integer.MAX_VALUE}, 3);
    assertEquals(DType.INT32, t.dtype());
    assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE}, t.toIntArray());
    assertArrayEquals(new long[] {1, -2, Integer.MAX_VALUE}, t.toLongArray());
    assertEquals(DType.INT32, t.add(1L).dtype());
    assertArrayEquals(new int[] {2, -1, Integer.MIN_VALUE}, t.add(1L).toIntArray()); // wraps, as in PyTorch
    assertEquals(DType.INT64, t.add(Tensor.of(new long[] {1})).dtype());
    assertEquals(DType.FLOAT32, t.add(0.5).dtype());
  }

  @Test
  void byteArraysMakeInt8OrUint8() {
    Tensor u = Tensor.of(new byte[] {1, -1, (byte) 200}, DType.UINT8);
    assertArrayEquals(new long[] {1, 255, 200}, u.toLongArray());
    Tensor s = Tensor.of(new byte[] {1, -1, (byte) 200}, DType.INT8);
    assertArrayEquals(new long[] {1, -1, -56}, s.toLongArray());
    assertEquals(DType.INT16, u.add(s).dtype()); // uint8 + int8 -> int16
    assertArrayEquals(new long[] {2, 254, 144}, u.add(s).toLongArray());
    assertArrayEquals(new boolean[] {true, true, false}, Tensor.of(new byte[] {1, 7, 0}, DType.BOOL).toBooleanArray());
    assertArrayEquals(new long[] {-128}, Tensor.of(new byte[] {127}, DType.INT8).add(1L).toLongArray());
  }

  @Test
  void shortArraysMakeInt16OrHalfBitPatterns() {
    assertArrayEquals(new long[] {-32768, 7}, Tensor.of(new short[] {Short.MIN_VALUE, 7}, DType.INT16).toLongArray());
    Tensor h = Tensor.of(new short[] {0x3c00, (short) 0xc000, 0x7bff, 0x0001, 0x7c00}, DType.FLOAT16);
    assertArrayEquals(new double[] {1, -2, 65504, 5.960464477539063e-8, Double.POSITIVE_INFINITY}, h.toDoubleArray());
    Tensor b = Tensor.of(new short[] {0x3f80, 0x4049}, DType.BFLOAT16);
    assertArrayEquals(new double[] {1, 3.140625}, b.toDoubleArray());
    assertEquals(DType.FLOAT32, h.narrow(0, 0, 2).add(b).dtype()); // float16 + bfloat16 -> float32
  }

  @Test
  void conversionsRoundAndWrapAsPyTorch() {
    Tensor f = Tensor.of(new float[] {0.1f, 65520f, 1e-8f, -2.7f, 300.5f});
    assertArrayEquals(new double[] {0.0999755859375, Double.POSITIVE_INFINITY, 0, -2.69921875, 300.5},
        f.to(DType.FLOAT16).toDoubleArray());
    assertArrayEquals(new long[] {0, -16, 0, -2, 44}, f.to(DType.INT8).toLongArray()); // the low bits of int32
    assertArrayEquals(new long[] {0, 240, 0, 254, 44}, f.to(DType.UINT8).toLongArray());
    assertArrayEquals(new int[] {0, 65520, 0, -2, 300}, f.to(DType.INT32).toIntArray());
    assertArrayEquals(new double[] {0.10009765625, 65536, 1.00117176771164e-08, -2.703125, 300},
        f.to(DType.BFLOAT16).toDoubleArray(), 1e-15);
    assertEquals(3.0, Tensor.scalar(3.0, DType.FLOAT16).item());
    assertEquals(-56, Tensor.scalar(200, DType.INT8).itemLong());
    assertArrayEquals(new long[] {255, 255}, Tensor.full(-1L, DType.UINT8, 2).toLongArray());
  }

  @Test
  void printingNamesEveryDtypeButTheDefaults() {
    assertEquals("tensor([  1, 255], dtype=torch.uint8)", Tensor.of(new byte[] {1, -1}, DType.UINT8).toString());
    assertEquals("tensor([ 1, -1], dtype=torch.int8)", Tensor.of(new byte[] {1, -1}, DType.INT8).toString());
    assertEquals("tensor([1, 2], dtype=torch.int32)", Tensor.of(new int[] {1, 2}).toString());
    assertEquals("tensor([0.1000, 1.5000], dtype=torch.float16)", Tensor.of(new float[] {0.1f, 1.5f}).to(DType.FLOAT16).toString());
    assertEquals("tensor([1., 2.], dtype=torch.bfloat16)", Tensor.of(new float[] {1, 2}).to(DType.BFLOAT16).toString());
    assertEquals("tensor([], dtype=torch.int16)", Tensor.zeros(DType.INT16, 0).toString());
    assertEquals("tensor([1, 2])", Tensor.of(new long[] {1, 2}).toString());
  }

  @Test
  void badInputIsATypedErrorAndChangesNothing() {
    Tensor i8 = Tensor.of(new byte[] {1, 2}, DType.INT8);
    ArgumentException e = assertThrows(ArgumentException.class, () -> i8.fill_(300L));
    assertTrue(e.getMessage().contains("fill_") && e.getMessage().contains("int8_t"), e.getMessage());
    assertArrayEquals(new long[] {1, 2}, i8.toLongArray());
    DTypeException d = assertThrows(DTypeException.class, () -> i8.add_(0.5));
    assertTrue(d.getMessage().contains("add") && d.getMessage().contains("float32") && d.getMessage().contains("int8"),
        d.getMessage());
    assertArrayEquals(new long[] {1, 2}, i8.toLongArray());
    assertThrows(ArgumentException.class, () -> Tensor.full(1e6, DType.FLOAT16, 2));
    DTypeException m = assertThrows(DTypeException.class, i8::mean);
    assertTrue(m.getMessage().contains("mean"), m.getMessage());
    assertThrows(DTypeException.class, () -> Tensor.of(new short[] {1}, DType.INT8));
    assertThrows(DTypeException.class, () -> Tensor.of(new byte[] {1}, DType.FLOAT16));
    assertThrows(DTypeException.class, () -> Tensor.rand(DType.INT32, 2));
  }

  @Test
  void narrowIntegersIndexSortAndSelectAsStored() {
    // uint8 pixels: these ops failed with an internal dispatch error on the narrow integer types before.
    Tensor u = Tensor.of(new byte[] {(byte) 200, 3, 7, 0, (byte) 255, 3}, DType.UINT8, 2, 3);
    Tensor rows = Tensor.of(new long[] {1, 0, 1});
    assertEquals(DType.UINT8, u.indexSelect(0, rows).dtype());
    assertArrayEquals(new long[] {0, 255, 3, 200, 3, 7, 0, 255, 3}, u.indexSelect(0, rows).toLongArray());
    assertArrayEquals(new long[] {7, 200, 3, 0}, u.indexSelect(1, Tensor.of(new long[] {2, 0})).toLongArray());
    try (ValuesAndIndices sorted = u.sort(1)) {
      assertEquals(DType.UINT8, sorted.values().dtype());
      assertArrayEquals(new long[] {3, 7, 200, 0, 3, 255}, sorted.values().toLongArray());
      assertArrayEquals(new long[] {1, 2, 0, 0, 2, 1}, sorted.indices().toLongArray());
    }
    Tensor s = Tensor.of(new short[] {-5, 9, 9, -32768}, DType.INT16, 4);
    try (ValuesAndIndices top = s.topk(2)) {
      assertArrayEquals(new long[] {9, 9}, top.values().toLongArray());
      assertEquals(DType.INT16, top.values().dtype());
    }
    assertArrayEquals(new long[] {9, -5}, s.gather(0, Tensor.of(new long[] {1, 0})).toLongArray());
    // float16 moves as stored: its bits come back unchanged
    Tensor h = Tensor.of(new short[] {0x3c00, (short) 0x8000, 0x7c00}, DType.FLOAT16, 3);
    Tensor picked = h.indexSelect(0, Tensor.of(new long[] {2, 1, 0}));
    assertEquals(DType.FLOAT16, picked.dtype());
    assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, -0.0, 1.0}, picked.toDoubleArray());
  }

  @Test
  void narrowIntegerExactOpsAsStoredMatchPyTorch() {
    // Values PyTorch 1.13 gives for these uint8 and int8 tensors; the ops now compute in the stored types.
    Tensor u = Tensor.of(new byte[] {(byte) 200, 3, 7, 0, (byte) 255, 9}, DType.UINT8, 2, 3);
    // A Java bound is wrapped to uint8 first, as in PyTorch: -5 is 251, above the upper bound 100.
    assertArrayEquals(new long[] {100, 100, 100, 100, 100, 100}, u.clamp(-5, 100).toLongArray());
    assertArrayEquals(new long[] {100, 10, 10, 10, 100, 10}, u.clamp(10, 100).toLongArray());
    assertEquals(DType.UINT8, u.clamp(10, 100).dtype());
    assertArrayEquals(new long[] {56, 253, 249, 0, 1, 247}, u.neg().toLongArray());
    assertArrayEquals(new long[] {200, 255}, u.amax(1).toLongArray());
    assertArrayEquals(new long[] {2, 0, 1, 0, 0, 0}, u.remainder(3).toLongArray());
    assertArrayEquals(new long[] {66, 1, 2, 0, 85, 3}, u.floorDivide(3).toLongArray());
    assertArrayEquals(new long[] {55, 252, 248, 255, 0, 246}, u.bitwiseNot().toLongArray());
    try (ValuesAndIndices max = u.max(1)) {
      assertEquals(DType.UINT8, max.values().dtype());
      assertArrayEquals(new long[] {200, 255}, max.values().toLongArray());
      assertArrayEquals(new long[] {0, 1}, max.indices().toLongArray());
    }
    Tensor s = Tensor.of(new byte[] {-128, -1, 5, 127}, DType.INT8, 4);
    Tensor minusOne = Tensor.of(new byte[] {-1, -1, -1, -1}, DType.INT8, 4);
    assertArrayEquals(new long[] {-128, 1, -5, -127}, s.floorDivide(minusOne).toLongArray());  // -(-128) wraps
    assertArrayEquals(new long[] {-128, 1, 5, 127}, s.abs().toLongArray());
    assertArrayEquals(new long[] {-128, -1, 5, 127}, s.maximum(Tensor.of(new byte[] {-128, -2, 4, 0}, DType.INT8, 4)).toLongArray());
  }
}
