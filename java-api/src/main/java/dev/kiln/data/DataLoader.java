package dev.kiln.data;

import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Batches from a dataset (torch.utils.data.DataLoader): iterate it once per epoch.
 *
 * <pre>{@code
 * DataLoader<Tensor[], Tensor[]> loader = DataLoader.builder(new TensorDataset(x, y))
 *     .batchSize(64).shuffle(true).seed(0).numWorkers(2).build();
 * for (Tensor[] batch : loader) { ... }
 * }</pre>
 *
 * With numWorkers > 0, worker threads load and collate batches ahead of the loop (prefetchFactor batches
 * per worker), and hand them over in order: the batches are the same whatever the number of workers. A
 * batch joins the consumer thread's TensorScope, if one is open, when the loop receives it.
 */
public final class DataLoader<T, B> implements Iterable<B> {
  private final Dataset<T> dataset;
  private final IterableDataset<T> stream;
  private final Iterable<int[]> batchSampler;
  private final int batchSize;
  private final boolean dropLast;
  private final Function<List<T>, B> collate;
  private final int numWorkers;
  private final int prefetchFactor;
  private final boolean defaultCollate;

  private DataLoader(Builder<T> b, Function<List<T>, B> collate, boolean defaultCollate) {
    this.defaultCollate = defaultCollate;
    this.dataset = b.dataset;
    this.stream = b.stream;
    this.batchSize = b.batchSize;
    this.dropLast = b.dropLast;
    this.collate = collate;
    this.numWorkers = b.numWorkers;
    this.prefetchFactor = b.prefetchFactor;
    if (b.batchSampler != null) {
      this.batchSampler = b.batchSampler;
    } else if (dataset != null) {
      Iterable<Integer> order = b.sampler != null ? b.sampler
          : b.shuffle ? Samplers.random(dataset.size(), b.seed) : Samplers.sequential(dataset.size());
      this.batchSampler = Samplers.batches(order, batchSize, dropLast);
    } else {
      this.batchSampler = null;
    }
  }

  public static <T> Builder<T> builder(Dataset<T> dataset) {
    return new Builder<>(dataset, null);
  }

  public static <T> Builder<T> builder(IterableDataset<T> dataset) {
    return new Builder<>(null, dataset);
  }

  /** The number of batches per epoch (map-style datasets). */
  public int size() {
    if (dataset == null) throw new UnsupportedOperationException("an IterableDataset has no length");
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  @Override
  public Iterator<B> iterator() {
    return dataset == null ? streamIterator() : numWorkers == 0 ? serialIterator() : prefetchingIterator();
  }

  @SuppressWarnings("unchecked")
  private B load(int[] indices) {
    // A TensorDataset with the default collation gathers its rows in one call per tensor.
    if (defaultCollate && dataset instanceof TensorDataset td) return (B) td.getBatch(indices);
    List<T> items = new ArrayList<>(indices.length);
    for (int i : indices) items.add(dataset.get(i));
    return collate.apply(items);
  }

  private Iterator<B> serialIterator() {
    Iterator<int[]> batches = batchSampler.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return batches.hasNext();
      }

      @Override
      public B next() {
        return adopt(load(batches.next()));
      }
    };
  }

  private Iterator<B> prefetchingIterator() {
    Iterator<int[]> batches = batchSampler.iterator();
    ExecutorService workers = Executors.newFixedThreadPool(numWorkers, r -> {
      Thread t = new Thread(r, "kiln-dataloader-worker");
      t.setDaemon(true);
      return t;
    });
    ArrayDeque<Future<B>> ahead = new ArrayDeque<>();
    return new Iterator<>() {
      {
        refill();
      }

      private void refill() {
        while (ahead.size() < numWorkers * prefetchFactor && batches.hasNext()) {
          int[] indices = batches.next();
          ahead.add(workers.submit(() -> load(indices)));
        }
        if (ahead.isEmpty()) workers.shutdown();
      }

      @Override
      public boolean hasNext() {
        return !ahead.isEmpty();
      }

      @Override
      public B next() {
        if (ahead.isEmpty()) throw new NoSuchElementException();
        Future<B> f = ahead.poll();
        B batch;
        try {
          batch = f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          workers.shutdownNow();
          throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
          workers.shutdownNow();
          if (e.getCause() instanceof RuntimeException r) throw r;
          if (e.getCause() instanceof Error err) throw err;
          throw new IllegalStateException("a DataLoader worker failed", e.getCause());
        }
        refill();
        return adopt(batch);
      }
    };
  }

  private Iterator<B> streamIterator() {
    Iterator<T> items = stream.iterator();
    return new Iterator<>() {
      List<T> pending = fill();

      private List<T> fill() {
        List<T> batch = new ArrayList<>(batchSize);
        while (batch.size() < batchSize && items.hasNext()) batch.add(items.next());
        return batch.isEmpty() || (dropLast && batch.size() < batchSize) ? null : batch;
      }

      @Override
      public boolean hasNext() {
        return pending != null;
      }

      @Override
      public B next() {
        if (pending == null) throw new NoSuchElementException();
        B batch = collate.apply(pending);
        pending = fill();
        return adopt(batch);
      }
    };
  }

  // Batches made on workers join the consumer's scope, so a per-step scope releases them.
  private B adopt(B batch) {
    if (batch instanceof Tensor t) TensorScope.adopt(t);
    else if (batch instanceof Tensor[] ts) for (Tensor t : ts) TensorScope.adopt(t);
    return batch;
  }

  /** DataLoader options, with PyTorch's defaults: batch size 1, no shuffle, no workers. */
  public static final class Builder<T> {
    private final Dataset<T> dataset;
    private final IterableDataset<T> stream;
    private int batchSize = 1;
    private boolean shuffle;
    private long seed = 0;
    private boolean dropLast;
    private Iterable<Integer> sampler;
    private Iterable<int[]> batchSampler;
    private int numWorkers;
    private int prefetchFactor = 2;

    private Builder(Dataset<T> dataset, IterableDataset<T> stream) {
      this.dataset = dataset;
      this.stream = stream;
    }

    public Builder<T> batchSize(int batchSize) {
      if (batchSize <= 0) throw new IllegalArgumentException("batch_size should be a positive integer value, but got batch_size=" + batchSize);
      this.batchSize = batchSize;
      return this;
    }

    /** A new random order each epoch, reproducible from the seed. */
    public Builder<T> shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    public Builder<T> seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder<T> dropLast(boolean dropLast) {
      this.dropLast = dropLast;
      return this;
    }

    /** The index order (instead of shuffle). */
    public Builder<T> sampler(Iterable<Integer> sampler) {
      this.sampler = sampler;
      return this;
    }

    /** The batches of indices (instead of batchSize, shuffle, sampler and dropLast). */
    public Builder<T> batchSampler(Iterable<int[]> batchSampler) {
      this.batchSampler = batchSampler;
      return this;
    }

    public Builder<T> numWorkers(int numWorkers) {
      if (numWorkers < 0) throw new IllegalArgumentException("num_workers option should be non-negative, got " + numWorkers);
      this.numWorkers = numWorkers;
      return this;
    }

    public Builder<T> prefetchFactor(int prefetchFactor) {
      if (prefetchFactor < 1) throw new IllegalArgumentException("prefetch_factor should be positive, got " + prefetchFactor);
      this.prefetchFactor = prefetchFactor;
      return this;
    }

    public <B> DataLoader<T, B> build(Function<List<T>, B> collate) {
      if (stream != null && (shuffle || sampler != null || batchSampler != null))
        throw new IllegalArgumentException("DataLoader with IterableDataset: expected unspecified shuffle, sampler and batch_sampler");
      if (batchSampler != null && (batchSize != 1 || shuffle || sampler != null || dropLast))
        throw new IllegalArgumentException("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
      if (sampler != null && shuffle) throw new IllegalArgumentException("sampler option is mutually exclusive with shuffle");
      return new DataLoader<>(this, collate, false);
    }

    /** With the default collation: tensors stacked, arrays of tensors stacked position by position. */
    @SuppressWarnings("unchecked")
    public <B> DataLoader<T, B> build() {
      DataLoader<T, B> loader = build(items -> {
        Object first = items.get(0);
        if (first instanceof Tensor) return (B) Collate.stack((List<Tensor>) items);
        if (first instanceof Tensor[]) return (B) Collate.stackEach((List<Tensor[]>) items);
        throw new IllegalArgumentException("default collate: items must be Tensor or Tensor[], got " + first.getClass().getName()
            + "; pass a collate function to build(...)");
      });
      return new DataLoader<>(this, loader.collate, true);
    }
  }
}
