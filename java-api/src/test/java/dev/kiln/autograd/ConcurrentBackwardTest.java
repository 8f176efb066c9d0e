package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Backward passes on several threads that accumulate into the same leaf lose nothing. */
class ConcurrentBackwardTest {
  @Test
  void sharedLeafAccumulatesEveryThreadsGradient() throws Exception {
    Tensor w = Tensor.ones(DType.FLOAT64, 64).requiresGrad(true);
    int threads = 4, steps = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++)
        done.add(pool.submit(() -> {
          for (int i = 0; i < steps; i++) w.mul(2).sum().backward();
        }));
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdown();
    }
    for (double g : w.grad().toDoubleArray()) assertEquals(2.0 * threads * steps, g);
  }
}
