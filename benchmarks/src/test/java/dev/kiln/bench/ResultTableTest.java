package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bench.Workload.JmhCall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTableTest {
  private static final Workload GEMM = new Workload("sgemm_1024", "sgemm 1024", Unit.GFLOPS, 2e9,
      new JmhCall("GemmBenchmark.mm", Map.of()), new JmhCall("OpenBlasGemmBenchmark.gemm", Map.of()), null,
      "≥ 95% of OpenBLAS direct");
  private static final Workload TRAIN = new Workload("train_mlp_64", "MLP step", Unit.SAMPLES_PER_S, 64,
      new JmhCall("TrainingBenchmark.step", Map.of()), null, "no such API", "");
  private static final Workload TINY = new Workload("tiny_add", "tiny add", Unit.MICROS_PER_OP, 1000,
      new JmhCall("TinyOpsBenchmark.addNoGrad", Map.of()), null, null, "≤ 0.4 µs");

  private static String row(String table, String label) {
    return table.lines().filter(l -> l.startsWith("| " + label + " |")).findFirst().orElseThrow();
  }

  @Test
  void rowHoldsFiguresSpreadsRatioAndWinningSetting() {
    Samples s = new Samples();
    s.add(Samples.KILN, "sgemm_1024", List.of(9e6, 10e6, 11e6)); // 200 GFLOP/s at the median
    s.add(Samples.OPENBLAS, "sgemm_1024", List.of(8e6, 8e6)); // 250 GFLOP/s
    s.add(Samples.PYTORCH + "default", "sgemm_1024", List.of(40e6));
    s.add(Samples.PYTORCH + "OPENBLAS_NUM_THREADS=1", "sgemm_1024", List.of(20e6, 20e6)); // 100 GFLOP/s
    String t = ResultTable.render(List.of("# title"), List.of(GEMM), s, Map.of(), List.of("a note"));
    assertEquals("| sgemm 1024 | GFLOP/s | 200 [20%] | 100 [0%] | OPENBLAS_NUM_THREADS=1 | 2.00x | n/a "
        + "| 250 [0%]; Kiln at 80% | ≥ 95% of OpenBLAS direct |", row(t, "sgemm 1024"));
    assertTrue(t.startsWith("# title\n"));
    assertTrue(t.contains("\n- a note\n"));
  }

  @Test
  void missingPeersShowNotAvailableWithTheReason() {
    Samples s = new Samples();
    s.add(Samples.KILN, "train_mlp_64", List.of(1e6)); // 64 samples per ms
    String t = ResultTable.render(List.of(), List.of(TRAIN), s,
        Map.of("train_mlp_64", new ResultTable.Memory(102_400, -1, "default")), List.of());
    // No workload here has PyTorch in the JVM, OpenBLAS direct or a target: those columns are left out.
    assertEquals("| MLP step | samples/s | 64,000 [0%] | n/a | | n/a |", row(t, "MLP step"));
    assertTrue(t.contains("| workload | unit | Kiln | PyTorch 1.13, best | its setting | Kiln / PyTorch |\n"), t);
    assertEquals("| MLP step | 100 | n/a |  | n/a |", t.lines().filter(l -> l.startsWith("| MLP step | 100"))
        .findFirst().orElseThrow());
  }

  @Test
  void peerInTheJvmWithoutFiguresReadsNotAvailable() {
    Samples s = new Samples();
    s.add(Samples.KILN, "tiny_add", List.of(500_000.0));
    s.add(Samples.BYTEDECO + "default", "tiny_add", List.of(1_000_000.0));
    String t = ResultTable.render(List.of(), List.of(TINY, TRAIN), s, Map.of(), List.of());
    assertEquals("| tiny add | µs/op | 0.500 [0%] | n/a | | n/a | 1.00 [0%] (default) | ≤ 0.4 µs |",
        row(t, "tiny add"));
    assertEquals("| MLP step | samples/s | n/a | n/a | | n/a | n/a: no such API | |", row(t, "MLP step"));
  }

  @Test
  void memoryRatioIsKilnOverPyTorch() {
    String t = ResultTable.render(List.of(), List.of(TRAIN), new Samples(),
        Map.of("train_mlp_64", new ResultTable.Memory(51_200, 204_800, "OMP_WAIT_POLICY=PASSIVE")), List.of());
    assertTrue(t.contains("| MLP step | 50 | 200 | OMP_WAIT_POLICY=PASSIVE | 0.25 |"), t);
  }

  @Test
  void numbersKeepThreeSignificantDigits() {
    assertEquals("0.00234", ResultTable.number(0.0023449));
    assertEquals("0.412", ResultTable.number(0.41234));
    assertEquals("1.00", ResultTable.number(0.99999));
    assertEquals("0.500", ResultTable.number(0.5));
    assertEquals("2.00", ResultTable.number(2));
    assertEquals("4.12", ResultTable.number(4.1234));
    assertEquals("41.2", ResultTable.number(41.234));
    assertEquals("41,234", ResultTable.number(41234.4));
  }
}
