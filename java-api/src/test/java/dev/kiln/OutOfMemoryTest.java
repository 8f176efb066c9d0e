package dev.kiln;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Allocations the machine cannot satisfy, and shapes whose size cannot even be counted: typed exceptions, no crash. */
class OutOfMemoryTest {
  @Test
  void aTensorLargerThanTheAddressSpaceFailsAfterTheCacheIsEmptied() {
    // Fill the cache: freed blocks stay there for reuse.
    for (int i = 0; i < 4; i++) Tensor.empty(1 << 20).close();
    assertTrue(Kiln.memoryStats().cachedBytes() > 0);
    // 2^45 float32 elements are 128 TiB: more than a 47-bit user address space, whatever the overcommit policy.
    NativeOutOfMemoryException e = assertThrows(NativeOutOfMemoryException.class, () -> Tensor.empty(1L << 45));
    assertTrue(e.getMessage().contains("out of memory") && e.getMessage().contains("cache emptied"), e.getMessage());
    assertEquals(0, Kiln.memoryStats().cachedBytes(), "the allocator gives its cache back before it gives up");
    assertEquals(6.0, Tensor.ones(2, 3).sum().item()); // the process goes on
  }

  @Test
  void anElementCountThatOverflows64BitsIsRefusedByName() {
    long huge = 1L << 32;
    ArgumentException e = assertThrows(ArgumentException.class, () -> Tensor.empty(huge, huge, huge));
    assertTrue(e.getMessage().contains("overflows 64 bits"), e.getMessage());
    assertThrows(ArgumentException.class, () -> Tensor.zeros(huge, huge, huge));
    assertThrows(ArgumentException.class, () -> Tensor.ones(1).expand(huge, huge, huge));
    assertThrows(ArgumentException.class, () -> Tensor.ones(1).view(-1, huge, huge, huge));
  }

  @Test
  void aByteCountThatOverflowsIsRefusedBeforeAnyAllocation() {
    // 2^61 float64 elements: the count fits in 64 bits, the bytes do not.
    assertThrows(NativeOutOfMemoryException.class, () -> Tensor.empty(DType.FLOAT64, 1L << 61));
    assertEquals(1.0, Tensor.ones(1).item());
  }
}
