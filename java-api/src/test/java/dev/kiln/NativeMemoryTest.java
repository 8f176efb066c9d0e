package dev.kiln;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Native memory is released by close(), by scopes, and, as the safety net, by the garbage collector. */
class NativeMemoryTest {
  private static final long MB = 1 << 20;

  private static long liveBytes() {
    return Kiln.memoryStats().liveBytes();
  }

  @Test
  void closeReleasesTheTensorsMemory() {
    long before = liveBytes();
    Tensor t = Tensor.zeros(1024, 1024); // 4 MiB
    assertTrue(liveBytes() >= before + 4 * MB);
    t.close();
    assertEquals(before, liveBytes());
    t.close(); // twice is harmless
    assertTrue(t.isClosed());
    assertThrows(IllegalStateException.class, t::sum);
  }

  @Test
  void aViewKeepsItsStorageAliveAfterTheBaseIsClosed() {
    Tensor base;
    Tensor column;
    try (TensorScope scope = TensorScope.open()) { // closes the intermediates
      base = scope.keep(Tensor.arange(12).view(3, 4));
      column = scope.keep(base.slice(1, 1, 2).squeeze(1));
    }
    base.close();
    assertArrayEquals(new long[] {1, 5, 9}, column.toLongArray());
    long before = liveBytes();
    column.close();
    assertTrue(liveBytes() < before, "the storage goes when its last view goes");
  }

  @Test
  void aScopeClosesEverythingItDidNotKeep() {
    long before = liveBytes();
    long liveTensors = Kiln.memoryStats().liveTensors();
    Tensor kept;
    Tensor dropped;
    try (TensorScope scope = TensorScope.open()) {
      Tensor a = Tensor.ones(256, 256);
      Tensor b = a.mul(2).add(1);
      dropped = b.exp();
      kept = scope.keep(b.sum());
    }
    assertTrue(dropped.isClosed());
    assertFalse(kept.isClosed());
    assertEquals(3.0 * 256 * 256, kept.item());
    kept.close();
    assertEquals(before, liveBytes());
    assertEquals(liveTensors, Kiln.memoryStats().liveTensors());
  }

  @Test
  void scopesNestAndAKeptTensorMovesToTheEnclosingScope() {
    Tensor inner;
    Tensor outerTemp;
    try (TensorScope outer = TensorScope.open()) {
      outerTemp = Tensor.ones(3);
      try (TensorScope scope = TensorScope.open()) {
        inner = scope.keep(Tensor.ones(3).mul(5));
      }
      assertFalse(inner.isClosed(), "kept past the inner scope");
      assertEquals(15.0, inner.sum().item());
    }
    assertTrue(inner.isClosed(), "owned by the outer scope, which closed it");
    assertTrue(outerTemp.isClosed());
  }

  @Test
  void runKeepsOnlyTheResult() {
    long before = liveBytes();
    Tensor r = TensorScope.run(() -> Tensor.ones(100, 100).mul(3).sum());
    assertEquals(30000.0, r.item());
    r.close();
    assertEquals(before, liveBytes());
  }

  /** The bound: 10 million temporaries, never closed, in bounded resident memory. */
  @Test
  void tenMillionTemporariesWithoutCloseStayBounded() throws IOException {
    Tensor x = Tensor.of(new float[] {1});
    Tensor y = Tensor.of(new float[] {2});
    for (int i = 0; i < 500_000; i++) x.add(y); // warm up: JIT, heap and caches reach their steady size
    long warm = residentBytes();
    long peak = warm;
    for (int i = 0; i < 10_000_000; i++) {
      x.add(y);
      if (i % 1_000_000 == 0) peak = Math.max(peak, residentBytes());
    }
    peak = Math.max(peak, residentBytes());
    assertTrue(peak - warm < 512 * MB, "resident memory grew by " + (peak - warm) / MB + " MiB");
  }

  @Test
  void largeTemporariesWithoutCloseStayBounded() throws IOException {
    Tensor x = Tensor.ones(1 << 20); // 4 MiB each: 2,000 of them make 8 GiB without the safety net
    for (int i = 0; i < 50; i++) x.mul(2);
    long warm = residentBytes();
    long peak = warm;
    for (int i = 0; i < 2_000; i++) {
      x.mul(2);
      if (i % 100 == 0) peak = Math.max(peak, residentBytes());
    }
    assertTrue(peak - warm < 1024 * MB, "resident memory grew by " + (peak - warm) / MB + " MiB");
  }

  private static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
