package dev.kiln.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The runner's options: --quick (a smoke run), --only=REGEX (workload ids, e.g. "gemm|train_mlp"), --suite=kernels
 * (the per-family op suite instead of issue 7's workloads), --out=FILE (default benchmarks/results/latest.md, or
 * kernels.md for the kernel suite), --rounds=N. Maven passes them as one argument (-Dbench.args="..."), so each
 * argument is split on spaces. --python=PATH runs PyTorch's side with another interpreter than Debian's python3.
 */
public record RunOptions(Timing timing, boolean quick, Pattern only, boolean kernels, Path out, String python) {
  public static RunOptions parse(String... args) {
    List<String> words = new ArrayList<>();
    for (String a : args) {
      for (String w : a.trim().split("\\s+")) if (!w.isEmpty()) words.add(w);
    }
    boolean quick = false;
    Pattern only = null;
    Path out = null;
    Integer rounds = null;
    boolean kernels = false;
    String python = PyTorchProcess.DEBIAN_PYTHON;
    for (String w : words) {
      if (w.equals("--quick")) quick = true;
      else if (w.startsWith("--only=")) only = Pattern.compile(w.substring("--only=".length()));
      else if (w.startsWith("--out=")) out = Path.of(w.substring("--out=".length()));
      else if (w.startsWith("--rounds=")) rounds = Integer.parseInt(w.substring("--rounds=".length()));
      else if (w.equals("--suite=kernels")) kernels = true;
      else if (w.startsWith("--python=")) python = w.substring("--python=".length());
      else throw new IllegalArgumentException("unknown option " + w
          + " (--quick, --only=REGEX, --suite=kernels, --out=FILE, --rounds=N, --python=PATH)");
    }
    Timing t = quick ? Timing.QUICK : Timing.FULL;
    if (rounds != null) t = new Timing(rounds, t.warmup(), t.iters(), t.iterMs());
    if (out == null) out = Path.of(kernels ? "benchmarks/results/kernels.md" : "benchmarks/results/latest.md");
    return new RunOptions(t, quick, only, kernels, out, python);
  }

  /** The chosen suite's workloads whose id matches --only. */
  public List<Workload> select() {
    return (kernels ? Workloads.kernels() : Workloads.all()).stream()
        .filter(w -> only == null || only.matcher(w.id()).find()).toList();
  }
}
