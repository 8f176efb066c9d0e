package dev.kiln.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What the table was measured on: CPU model and cores (from /proc), memory, JDK. */
final class Machine {
  private Machine() {}

  static String describe() {
    String cpu = procLine("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"));
    long memKb = procLine("/proc/meminfo", "MemTotal").map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(0L);
    return String.format(Locale.ROOT, "%s, %d cores, %.0f GiB; JDK %s (%s)", cpu,
        Runtime.getRuntime().availableProcessors(), memKb / 1048576.0, Runtime.version(),
        System.getProperty("java.vm.name"));
  }

  private static Optional<String> procLine(String file, String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file));
      return lines.stream().filter(l -> l.startsWith(key)).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
