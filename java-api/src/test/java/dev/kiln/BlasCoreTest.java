package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kiln picks OpenBLAS's kernels for the CPU (native/tests/test_blas_core.cpp checks the environment rules). */
class BlasCoreTest {
  @Test
  void namesTheKernelsInUse() {
    String core = Kiln.blasCore();
    assertFalse(core.isBlank());
    assertTrue(core.chars().allMatch(Character::isLetterOrDigit), core);
  }

  @Test
  void usesTheAvx512KernelsWhereTheCpuHasThem() throws IOException {
    if (System.getenv("KILN_BLAS_CORETYPE") != null) return; // a forced choice is the user's
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.exists(cpuinfo)) return;
    List<String> flags = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).limit(1)
        .flatMap(l -> List.of(l.split("\\s+")).stream()).toList();
    if (!(flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl"))) return;
    // OPENBLAS_CORETYPE=Haswell in the environment (as on the CI machines) must not hold Kiln to AVX2.
    assertNotEquals("haswell", Kiln.blasCore().toLowerCase());
  }
}
