package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.nn.functional.Losses;
import dev.kiln.optim.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Long training loops in bounded memory: 20,000 steps of the Fashion-MNIST MLP that never close a tensor
 * (the garbage collector is the only release), measured as the process's resident memory; and the same
 * loop with a TensorScope per step, which gives every temporary back at once.
 */
class TrainingMemoryTest {
  private static Sequential mlp() {
    return new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
  }

  private static Tensor loss(Sequential model, Tensor x, Tensor y) {
    return Losses.crossEntropy(model.call(x), y);
  }

  /** The process's resident set size in bytes (VmRSS), as the operating system counts it. */
  private static long rss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status")))
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  @Test
  void twentyThousandStepsWithoutCloseStayBounded() throws IOException {
    Kiln.manualSeed(0);
    Sequential model = mlp();
    Adam opt = new Adam(model.parameters(), 1e-3);
    Tensor x = Tensor.randn(64, 784), y = Tensor.randint(0, 10, 64);
    long[] samples = new long[5];
    for (int step = 1; step <= 20_000; step++) {
      opt.zeroGrad();
      Tensor l = loss(model, x, y);
      l.backward();
      opt.step();
      if (step % 4_000 == 0) samples[step / 4_000 - 1] = rss();
    }
    long growth = samples[4] - samples[0];
    System.out.printf("resident memory at steps 4,000..20,000 (MB): %s%n", java.util.Arrays.stream(samples).map(b -> b >> 20).boxed().toList());
    // One step's temporaries are ~1 MB; 16,000 unreleased steps would be 16 GB. What is allowed: the JVM's heap
    // and the allocator's cache settling, well under this bound.
    assertTrue(growth < 256L << 20, "resident memory grew by " + (growth >> 20) + " MB between steps 4,000 and 20,000: "
        + java.util.Arrays.toString(samples));
    assertTrue(Kiln.memoryStats().liveBytes() < 512L << 20, "live native bytes " + Kiln.memoryStats().liveBytes());
  }

  @Test
  void aScopePerStepGivesEveryTemporaryBack() {
    Kiln.manualSeed(0);
    long before = Kiln.memoryStats().liveBytes(); // other tests' garbage may still be counted, and freed meanwhile
    Sequential model = mlp();
    Adam opt = new Adam(model.parameters(), 1e-3);
    Tensor x = Tensor.randn(64, 784), y = Tensor.randint(0, 10, 64);
    long[] live = new long[50];
    for (int step = 0; step < 50; step++) {
      try (TensorScope scope = TensorScope.open()) {
        opt.zeroGrad();
        Tensor l = loss(model, x, y);
        l.backward();
        opt.step();
      }
      live[step] = Kiln.memoryStats().liveBytes();
    }
    // After the first step (which makes Adam's state and the grads) nothing accumulates: at every scope end the
    // live bytes are at most those after step 1, and all that is left is parameters, grads and two moments.
    for (int step = 2; step < 50; step++) assertTrue(live[step] <= live[1], "live bytes after step " + step + ": " + live[step] + " > " + live[1]);
    long params = 0;
    for (Tensor p : model.parameters()) params += p.numel() * 4;
    long added = live[49] - before;
    // The allocator rounds blocks up to a quarter of a power of two: at most 25% over the tensors' sizes.
    assertTrue(added <= 1.25 * (4 * params + x.numel() * 4 + y.numel() * 8) + (64 << 10),
        "the loop kept " + added + " bytes for " + params + " bytes of parameters (+ grads and two moments)");
  }
}
