package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RunOptionsTest {
  @Test
  void optionsArriveAsOneArgumentFromMaven() {
    RunOptions o = RunOptions.parse("--quick --only=gemm_1024|train_mlp  --out=/tmp/t.md --rounds=2");
    assertTrue(o.quick());
    assertEquals(2, o.timing().rounds());
    assertEquals(Timing.QUICK.iterMs(), o.timing().iterMs());
    assertEquals(Path.of("/tmp/t.md"), o.out());
    assertEquals(java.util.List.of("sgemm_1024", "dgemm_1024", "train_mlp_64", "train_mlp_256"),
        o.select().stream().map(Workload::id).toList());
  }

  @Test
  void defaultsToTheFullRunOfEveryWorkload() {
    RunOptions o = RunOptions.parse("");
    assertEquals(Timing.FULL, o.timing());
    assertEquals(Workloads.all(), o.select());
    assertEquals(Path.of("benchmarks/results/latest.md"), o.out());
    assertEquals(PyTorchProcess.DEBIAN_PYTHON, o.python());
  }

  @Test
  void kernelSuiteHasItsOwnWorkloadsAndFile() {
    RunOptions o = RunOptions.parse("--suite=kernels --only=^ce_");
    assertEquals(6, o.select().size());
    assertEquals(Path.of("benchmarks/results/kernels.md"), o.out());
  }

  @Test
  void unknownOptionIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RunOptions.parse("--fast"));
  }
}
