package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Datasets, samplers and the DataLoader, with and without worker threads. */
class DataLoaderTest {
  static TensorDataset numbers(int n) {
    Tensor x = Tensor.arange(n).view(n, 1).to(dev.kiln.DType.FLOAT32);
    Tensor y = Tensor.arange(n).mul(10);
    return new TensorDataset(x, y);
  }

  static List<long[]> labels(Iterable<Tensor[]> loader) {
    List<long[]> out = new ArrayList<>();
    for (Tensor[] b : loader) out.add(b[1].toLongArray());
    return out;
  }

  @Test
  void batchesInOrderWithALastShortBatch() {
    DataLoader<Tensor[], Tensor[]> loader = DataLoader.builder(numbers(10)).batchSize(4).build();
    assertEquals(3, loader.size());
    List<Tensor[]> batches = new ArrayList<>();
    for (Tensor[] b : loader) batches.add(b);
    assertEquals(3, batches.size());
    assertArrayEquals(new long[] {4, 1}, batches.get(0)[0].shape());
    assertArrayEquals(new long[] {0, 10, 20, 30}, batches.get(0)[1].toLongArray());
    assertArrayEquals(new long[] {80, 90}, batches.get(2)[1].toLongArray());
    assertEquals(2, DataLoader.builder(numbers(10)).batchSize(4).dropLast(true).build().size());
  }

  @Test
  void shuffleIsReproducibleAndChangesEachEpoch() {
    DataLoader<Tensor[], Tensor[]> a = DataLoader.builder(numbers(50)).batchSize(8).shuffle(true).seed(7).build();
    DataLoader<Tensor[], Tensor[]> b = DataLoader.builder(numbers(50)).batchSize(8).shuffle(true).seed(7).build();
    List<long[]> epoch1 = labels(a), epoch2 = labels(a);
    List<long[]> other = labels(b);
    for (int i = 0; i < epoch1.size(); i++) assertArrayEquals(epoch1.get(i), other.get(i), "same seed, same order");
    assertNotEquals(flat(epoch1), flat(epoch2), "a new order each epoch");
    Set<Long> seen = new HashSet<>(flat(epoch1));
    assertEquals(50, seen.size(), "every item exactly once");
  }

  @Test
  void workersGiveTheSameBatchesInTheSameOrder() {
    List<Long> serial = flat(labels(DataLoader.builder(numbers(97)).batchSize(5).shuffle(true).seed(3).build()));
    for (int workers : new int[] {1, 2, 4}) {
      DataLoader<Tensor[], Tensor[]> loader = DataLoader.builder(numbers(97)).batchSize(5).shuffle(true).seed(3).numWorkers(workers).build();
      assertEquals(serial, flat(labels(loader)), workers + " workers");
    }
  }

  @Test
  void tensorDatasetBatchesEqualStackedItems() {
    TensorDataset ds = new TensorDataset(Tensor.arange(60).view(20, 3).to(dev.kiln.DType.FLOAT32), Tensor.arange(20));
    // The default collation gathers a TensorDataset's rows in one call; an explicit stacking collate goes item by item.
    DataLoader<Tensor[], Tensor[]> fast = DataLoader.builder(ds).batchSize(6).shuffle(true).seed(5).numWorkers(2).build();
    DataLoader<Tensor[], Tensor[]> slow = DataLoader.builder(ds).batchSize(6).shuffle(true).seed(5).build(Collate::stackEach);
    java.util.Iterator<Tensor[]> a = fast.iterator(), b = slow.iterator();
    while (b.hasNext()) {
      Tensor[] x = a.next(), y = b.next();
      assertArrayEquals(y[0].shape(), x[0].shape());
      assertArrayEquals(y[0].toFloatArray(), x[0].toFloatArray());
      assertArrayEquals(y[1].toLongArray(), x[1].toLongArray());
    }
    assertFalse(a.hasNext());
    assertThrows(IndexOutOfBoundsException.class, () -> ds.getBatch(new int[] {0, 20}));
  }

  @Test
  void aWorkerErrorReachesTheLoop() {
    Dataset<Tensor> broken = new Dataset<>() {
      @Override
      public Tensor get(int index) {
        if (index == 5) throw new IllegalStateException("item 5 is broken");
        return Tensor.scalar((long) index);
      }

      @Override
      public int size() {
        return 10;
      }
    };
    DataLoader<Tensor, Tensor> loader = DataLoader.builder(broken).batchSize(2).numWorkers(2).build();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
      for (Tensor t : loader) t.sum();
    });
    assertEquals("item 5 is broken", e.getMessage());
  }

  @Test
  void customCollateBatchSamplerAndIterableDatasets() {
    DataLoader<Tensor[], Long> sums = DataLoader.builder(numbers(6)).batchSize(3)
        .build(items -> items.stream().mapToLong(i -> i[1].itemLong()).sum());
    List<Long> out = new ArrayList<>();
    for (long s : sums) out.add(s);
    assertEquals(List.of(30L, 120L), out);

    List<int[]> custom = List.of(new int[] {5, 0}, new int[] {2});
    List<long[]> got = labels(DataLoader.builder(numbers(6)).batchSampler(custom).build());
    assertArrayEquals(new long[] {50, 0}, got.get(0));
    assertArrayEquals(new long[] {20}, got.get(1));

    IterableDataset<Tensor> stream = () -> java.util.stream.LongStream.range(0, 7).mapToObj(Tensor::scalar).iterator();
    List<long[]> streamed = new ArrayList<>();
    for (Tensor t : DataLoader.builder(stream).batchSize(3).<Tensor>build()) streamed.add(t.toLongArray());
    assertArrayEquals(new long[] {6}, streamed.get(2));
    assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(stream).shuffle(true).build());
  }

  @Test
  void subsetsConcatAndRandomSplit() {
    TensorDataset ds = numbers(10);
    Subset<Tensor[]> sub = new Subset<>(ds, new int[] {9, 1});
    assertEquals(90, sub.get(0)[1].itemLong());
    ConcatDataset<Tensor[]> cat = new ConcatDataset<>(ds, sub);
    assertEquals(12, cat.size());
    assertEquals(10, cat.get(11)[1].itemLong());
    assertEquals(10, cat.get(-1)[1].itemLong());
    List<Subset<Tensor[]>> parts = Datasets.randomSplit(ds, new int[] {7, 3}, 42);
    Set<Integer> all = new HashSet<>();
    for (Subset<Tensor[]> p : parts) for (int i : p.indices()) assertTrue(all.add(i));
    assertEquals(10, all.size());
    assertArrayEquals(parts.get(0).indices(), Datasets.randomSplit(ds, new int[] {7, 3}, 42).get(0).indices());
    List<Subset<Tensor[]>> byFraction = Datasets.randomSplit(ds, new double[] {0.5, 0.25, 0.25}, 1);
    assertEquals(List.of(6, 2, 2), byFraction.stream().map(Subset::size).toList()); // as PyTorch: remainder round-robin
    assertThrows(IllegalArgumentException.class, () -> Datasets.randomSplit(ds, new int[] {7, 2}, 1));
    assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.zeros(3), Tensor.zeros(4)));
  }

  @Test
  void batchesFromWorkersJoinTheLoopsScope() {
    DataLoader<Tensor[], Tensor[]> loader = DataLoader.builder(numbers(8)).batchSize(4).numWorkers(2).build();
    List<Tensor[]> kept = new ArrayList<>();
    for (Tensor[] b : loader) kept.add(b);
    for (Tensor[] b : kept) assertFalse(b[0].isClosed(), "received outside a scope: not adopted, not closed");
    try (TensorScope scope = TensorScope.open()) {
      for (Tensor[] b : loader) kept.add(b);
    }
    assertTrue(kept.get(kept.size() - 1)[0].isClosed(), "received inside a scope: closed with it");
  }

  private static List<Long> flat(List<long[]> batches) {
    List<Long> out = new ArrayList<>();
    for (long[] b : batches) for (long v : b) out.add(v);
    return out;
  }
}
