package dev.kiln.reliability;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The differential fuzzer: random programs (FuzzProgram) checked against the reference (FuzzCheck). CI runs a
 * fixed seed; -Dkiln.fuzz.programs=100000 -Dkiln.fuzz.seed=... runs longer. A failing program is reported as
 * Java at its shortest failing prefix; while it runs, target/fuzz-current-program.java holds the program in
 * flight, so that a native crash leaves the program that caused it behind.
 */
class DifferentialFuzzTest {
  private static final long SEED = Long.getLong("kiln.fuzz.seed", 20261122L);
  private static final int PROGRAMS = Integer.getInteger("kiln.fuzz.programs", 15000);

  @Test
  void randomProgramsAgreeWithTheReference() throws IOException {
    Random rnd = new Random(SEED);
    Path trace = Files.isDirectory(Path.of("target")) ? Path.of("target", "fuzz-current-program.java") : null;
    int checked = 0;
    for (int i = 0; i < PROGRAMS; i++) {
      FuzzProgram p = FuzzProgram.random(rnd);
      if (trace != null) Files.writeString(trace, "// seed " + SEED + ", program " + i + "\n" + p.toJava());
      String diff = FuzzCheck.check(p);
      if (diff != null) fail(report(p, i, diff));
      checked++;
    }
    assertEquals(PROGRAMS, checked);
    System.out.printf("fuzz: %d programs (seed %d), %d steps, %d refused as PyTorch refuses, gradients of %d programs"
        + " (%d elements)%n", checked, SEED, FuzzCheck.steps, FuzzCheck.refusals, FuzzCheck.gradientPrograms,
        FuzzCheck.gradientElements);
  }

  /** The failure at the program's shortest prefix that still fails, as Java to paste into a regression test. */
  static String report(FuzzProgram p, int index, String diff) {
    FuzzProgram shortest = p;
    String shortestDiff = diff;
    for (int n = 1; n < p.steps.size(); n++) {
      String d = FuzzCheck.check(p.prefix(n));
      if (d != null) {
        shortest = p.prefix(n);
        shortestDiff = d;
        break;
      }
    }
    return "fuzz program " + index + " (seed " + SEED + "): " + shortestDiff + "\n" + shortest.toJava();
  }
}
