package dev.kiln;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.functional.Losses;
import dev.kiln.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The thread-safety contract of the README: what may run on several threads at once, and what is per thread. */
class ThreadSafetyTest {
  /** Seeds this thread, builds a model, trains it on random data; returns the losses and final weights. */
  private static float[] train(long seed) {
    Kiln.manualSeed(seed);
    Sequential model = new Sequential(new Linear(20, 32), new ReLU(), new Linear(32, 4));
    Adam opt = new Adam(model.parameters(), 0.01);
    Tensor x = Tensor.randn(64, 20), y = Tensor.randint(0, 4, 64);
    float[] out = new float[100 + 4 * 32];
    for (int step = 0; step < 100; step++) {
      opt.zeroGrad();
      Tensor loss = Losses.crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
      out[step] = (float) loss.item();
    }
    System.arraycopy(model.namedParameters().get("2.weight").toFloatArray(), 0, out, 100, 4 * 32);
    return out;
  }

  private static <T> List<T> together(List<Callable<T>> jobs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
    CyclicBarrier start = new CyclicBarrier(jobs.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> job : jobs) futures.add(pool.submit(() -> {
        start.await();
        return job.call();
      }));
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) results.add(f.get());
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoThreadsTrainingTheirOwnModelsGetWhatTheyGetAlone() throws Exception {
    float[] aloneA = together(List.<Callable<float[]>>of(() -> train(1))).get(0);
    float[] aloneB = together(List.<Callable<float[]>>of(() -> train(2))).get(0);
    for (int round = 0; round < 3; round++) {
      List<float[]> both = together(List.<Callable<float[]>>of(() -> train(1), () -> train(2)));
      assertArrayEquals(aloneA, both.get(0), "thread A, round " + round);
      assertArrayEquals(aloneB, both.get(1), "thread B, round " + round);
    }
  }

  @Test
  void gradModeAndTheDefaultGeneratorArePerThread() throws Exception {
    List<String> r = together(List.<Callable<String>>of(
        () -> {
          try (ModeScope g = Autograd.noGrad()) {
            Thread.sleep(50); // the other thread records meanwhile
            return "A records " + Tensor.ones(1).requiresGrad(true).mul(2).requiresGrad();
          }
        },
        () -> "B records " + Tensor.ones(1).requiresGrad(true).mul(2).requiresGrad()));
    assertEquals(List.of("A records false", "B records true"), r);

    float[] alone = together(List.<Callable<float[]>>of(() -> {
      Kiln.manualSeed(5);
      return Tensor.rand(1000).toFloatArray();
    })).get(0);
    List<float[]> draws = together(List.<Callable<float[]>>of(
        () -> {
          Kiln.manualSeed(5);
          for (int i = 0; i < 100; i++) Tensor.rand(1); // while the other thread draws too
          Kiln.manualSeed(5);
          return Tensor.rand(1000).toFloatArray();
        },
        () -> {
          for (int i = 0; i < 2000; i++) Tensor.rand(7); // another thread drawing all the while
          return new float[0];
        }));
    assertArrayEquals(alone, draws.get(0));
  }

  /**
   * A temporary whose handle a native call is reading must not be released by the garbage collector's safety net
   * meanwhile (another thread drains the queue of collected tensors on each creation). Before handles pinned their
   * tensors (internal.Pins), reading a.matmul(b) as it was collected read freed memory.
   */
  @Test
  void temporariesStayAliveWhileNativeCallsReadThem() throws Exception {
    Tensor shared = Tensor.arange(90_000).to(DType.FLOAT32).view(300, 300).div(90_000.0);
    float[] expected = shared.matmul(shared).toFloatArray();
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    List<Callable<Boolean>> jobs = new ArrayList<>();
    for (int t = 0; t < 3; t++)
      jobs.add(() -> {
        try {
          for (int i = 0; i < 400; i++) {
            if (!java.util.Arrays.equals(shared.matmul(shared).toFloatArray(), expected)) return false;
            if (shared.matmul(shared).sum().item() == 0) return false;
          }
          return true;
        } finally {
          done.set(true);
        }
      });
    jobs.add(() -> { // collects and drains the queue of collected tensors while the readers run
      while (!done.get()) {
        System.gc();
        Tensor.zeros(1).close();
      }
      return true;
    });
    assertEquals(List.of(true, true, true, true), together(jobs));
  }

  @Test
  void manyThreadsReadingOneTensor() throws Exception {
    Tensor shared = Tensor.arange(10_000).to(DType.FLOAT64).view(100, 100);
    double sum = shared.sum().item();
    Tensor product = shared.matmul(shared);
    List<Callable<Boolean>> readers = new ArrayList<>();
    for (int t = 0; t < 8; t++)
      readers.add(() -> {
        for (int i = 0; i < 200; i++) {
          if (shared.sum().item() != sum) return false;
          if (!java.util.Arrays.equals(shared.matmul(shared).toDoubleArray(), product.toDoubleArray())) return false;
          if (shared.narrow(0, 10, 5).toDoubleArray()[0] != 1000) return false;
        }
        return true;
      });
    assertEquals(List.of(true, true, true, true, true, true, true, true), together(readers));
  }
}
