package dev.kiln.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The runner's options: --quick (a smoke run), --only=REGEX (workload ids, e.g. "gemm|train_mlp"), --out=FILE
 * (default benchmarks/results/latest.md), --rounds=N. Maven passes them as one argument (-Dbench.args="..."), so
 * each argument is split on spaces.
 */
public record RunOptions(Timing timing, boolean quick, Pattern only, Path out) {
  public static RunOptions parse(String... args) {
    List<String> words = new ArrayList<>();
    for (String a : args) {
      for (String w : a.trim().split("\\s+")) if (!w.isEmpty()) words.add(w);
    }
    boolean quick = false;
    Pattern only = null;
    Path out = Path.of("benchmarks/results/latest.md");
    Integer rounds = null;
    for (String w : words) {
      if (w.equals("--quick")) quick = true;
      else if (w.startsWith("--only=")) only = Pattern.compile(w.substring("--only=".length()));
      else if (w.startsWith("--out=")) out = Path.of(w.substring("--out=".length()));
      else if (w.startsWith("--rounds=")) rounds = Integer.parseInt(w.substring("--rounds=".length()));
      else throw new IllegalArgumentException("unknown option " + w + " (--quick, --only=REGEX, --out=FILE, --rounds=N)");
    }
    Timing t = quick ? Timing.QUICK : Timing.FULL;
    if (rounds != null) t = new Timing(rounds, t.warmup(), t.iters(), t.iterMs());
    return new RunOptions(t, quick, only, out);
  }

  public List<Workload> select(List<Workload> all) {
    return all.stream().filter(w -> only == null || only.matcher(w.id()).find()).toList();
  }
}
