package dev.kiln.bench;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Losses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * cross_entropy on float32 logits with class-index targets, the mean: the forward alone (no grad), and forward plus
 * backward (loss.backward() into the logits' grad), at [64, 10] (a small classifier), [256, 1000] (ImageNet's
 * classes) and [1024, 50257] (8 sequences of 128 tokens over GPT-2's vocabulary: [8, 128, 50257] flattened, as
 * language models call it). PyTorch's side (benchmarks/pytorch/losses.py, on as many threads as Kiln) runs in the same run when
 * Debian's python3-torch is installed. Figures are the best of 15 timed blocks, in ms per call (a block repeats small
 * calls until it lasts a few ms); medians are printed too.
 *
 * <pre>mvn -B -q -pl benchmarks -am package exec:java -DskipTests -Dexec.mainClass=dev.kiln.bench.LossBench</pre>
 */
public final class LossBench {
  private static final int REPEATS = 15;
  private static final String PYTHON = "/usr/bin/python3";
  static final long[][] SHAPES = {{64, 10}, {256, 1000}, {1024, 50257}};

  interface Workload {
    void run();
  }

  /** {best, median} ms per call over REPEATS blocks of `inner` calls each. */
  static double[] millis(Workload w, int inner) {
    for (int i = 0; i < 3; i++) w.run(); // warm-up: JIT, allocator caches
    List<Double> times = new ArrayList<>();
    for (int r = 0; r < REPEATS; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < inner; i++) w.run();
      times.add((System.nanoTime() - t0) / 1e6 / inner);
    }
    times.sort(null);
    return new double[] {times.get(0), times.get(times.size() / 2)};
  }

  /** Calls per timed block: enough that one block lasts about 5 ms. */
  static int inner(long[] shape) {
    return (int) Math.max(1, Math.min(2000, 5_000_000L / (shape[0] * shape[1])));
  }

  public static void main(String[] args) throws Exception {
    String torch = pytorch(Kiln.getNumThreads());
    System.out.println("cross_entropy, float32 logits, int64 targets, mean; ms per call (best and median of " + REPEATS
        + "), Kiln on " + Kiln.getNumThreads() + " threads");
    System.out.printf(Locale.ROOT, "%-28s %9s %9s %7s   %9s %9s %7s%n", "workload", "Kiln", "PyTorch", "ratio",
        "Kiln med", "PyT med", "ratio");
    for (long[] shape : SHAPES) {
      String key = shape[0] + "x" + shape[1];
      Tensor x, target;
      try (Generator g = new Generator(0)) {
        x = Tensor.randn(g, DType.FLOAT32, shape).requiresGrad(true);
        target = Tensor.randint(g, 0, shape[1], shape[0]);
      }
      int inner = inner(shape);
      double[] forward = millis(() -> {
        try (ModeScope g = Autograd.noGrad(); TensorScope s = TensorScope.open()) {
          Losses.crossEntropy(x, target);
        }
      }, inner);
      double[] both = millis(() -> {
        try (TensorScope s = TensorScope.open()) {
          x.setGrad(null);
          Losses.crossEntropy(x, target).backward();
        }
      }, inner);
      String name = Arrays.toString(shape);
      row(name + " forward", forward, field(torch, key + "_forward_best_ms"), field(torch, key + "_forward_median_ms"));
      row(name + " fwd+bwd", both, field(torch, key + "_both_best_ms"), field(torch, key + "_both_median_ms"));
      x.close();
      target.close();
    }
    if (torch == null) System.out.println("(PyTorch not found: apt-get install python3-torch for its figures)");
    else System.out.println("PyTorch " + torch.replaceAll(".*\"threads\": (\\d+).*", "$1")
        + " threads, from Python; ratio = PyTorch / Kiln (> 1: Kiln faster)");
  }

  private static void row(String name, double[] kiln, double best, double median) {
    System.out.printf(Locale.ROOT, "%-28s %9.4f %9s %7s   %9.4f %9s %7s%n", name, kiln[0], num(best),
        ratio(best, kiln[0]), kiln[1], num(median), ratio(median, kiln[1]));
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String ratio(double torch, double kiln) {
    return Double.isNaN(torch) ? "-" : String.format(Locale.ROOT, "%.2fx", torch / kiln);
  }

  private static double field(String json, String name) {
    if (json == null) return Double.NaN;
    Matcher m = Pattern.compile("\"" + name + "\": ([0-9.eE+-]+)").matcher(json);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** PyTorch's figures as one JSON line, or null when it is not installed. */
  private static String pytorch(int threads) throws IOException, InterruptedException {
    Path script = Path.of("benchmarks/pytorch/losses.py");
    if (!Files.exists(script)) script = Path.of("pytorch/losses.py");
    if (!Files.exists(Path.of(PYTHON)) || !Files.exists(script)) return null;
    Process p = new ProcessBuilder(Arrays.asList(PYTHON, script.toString(), Integer.toString(threads)))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    return p.waitFor() == 0 ? out.lines().filter(l -> l.startsWith("{")).findFirst().orElse(null) : null;
  }

  private LossBench() {}
}
