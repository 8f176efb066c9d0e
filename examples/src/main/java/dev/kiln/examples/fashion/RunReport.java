package dev.kiln.examples.fashion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The short Markdown report a run leaves in its output folder. */
final class RunReport {
  private RunReport() {}

  static String markdown(String settings, List<EpochResult> epochs, double totalSeconds, boolean sample, List<String> files) {
    StringBuilder s = new StringBuilder("# Kiln: Fashion-MNIST run\n\n");
    s.append(settings).append("\n\n");
    if (sample) s.append("Trained on the bundled sample, not the full data set: accuracy is not comparable with the full set's.\n\n");
    s.append("| epoch | train loss | test loss | test accuracy | seconds | samples/s |\n|---|---|---|---|---|---|\n");
    for (EpochResult r : epochs)
      s.append(String.format("| %d | %.4f | %.4f | %.2f%% | %.1f | %,.0f |%n", r.epoch(), r.trainLoss(), r.testLoss(),
          100 * r.testAccuracy(), r.seconds(), r.samplesPerSecond()));
    EpochResult last = epochs.get(epochs.size() - 1);
    s.append(String.format("%nFinal test accuracy %.2f%%, test loss %.4f, after %.1f s in all.%n%n", 100 * last.testAccuracy(), last.testLoss(), totalSeconds));
    s.append("Files:\n");
    for (String f : files) s.append("- ").append(f).append('\n');
    return s.toString();
  }

  static void write(Path file, String markdown) throws IOException {
    Files.writeString(file, markdown);
  }
}
