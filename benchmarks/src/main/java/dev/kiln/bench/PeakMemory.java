package dev.kiln.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of a training workload, run alone in a fresh JVM that the runner forks:
 * {@code PeakMemory MODEL BATCH STEPS} runs the steps and prints {"peak_rss_kb": N}, read from VmHWM.
 */
public final class PeakMemory {
  private PeakMemory() {}

  public static void main(String[] args) throws IOException {
    TrainingStep step = new TrainingStep(args[0], Integer.parseInt(args[1]));
    for (int i = 0, n = Integer.parseInt(args[2]); i < n; i++) step.run();
    System.out.println("{\"peak_rss_kb\": " + vmHwmKb() + "}");
  }

  /** This process's peak resident set (the kernel's high-water mark), in kB; -1 where /proc is missing. */
  public static long vmHwmKb() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) return -1;
    return Files.readAllLines(status).stream().filter(l -> l.startsWith("VmHWM:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
  }
}
