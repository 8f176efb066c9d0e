package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
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
 * Reductions and softmax over the rows of a 4096 x 4096 float32 tensor (64 MiB): sum and mean over each row,
 * softmax and log_softmax along each row and softmax's backward, plus the column forms. Runs PyTorch's side
 * (benchmarks/pytorch/reductions.py, on as many threads as Kiln) in the same run when Debian's python3-torch is
 * installed, and prints both with the ratio. Figures are the best of 21 calls, in milliseconds: the development
 * machines are shared, and the best time is the one least disturbed by other work (medians are printed too).
 *
 * <pre>mvn -B -q -pl benchmarks -am package exec:java -DskipTests -Dexec.mainClass=dev.kiln.bench.ReductionBench</pre>
 */
public final class ReductionBench {
  private static final int N = 4096;
  private static final int REPEATS = 21;
  private static final String PYTHON = "/usr/bin/python3";

  interface Workload {
    Tensor run();
  }

  /** {best, median} milliseconds per call. */
  static double[] millis(Workload w) {
    for (int i = 0; i < 3; i++) w.run().close(); // warm-up: JIT, allocator caches
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < REPEATS; i++) {
      long t0 = System.nanoTime();
      Tensor r = w.run();
      times.add((System.nanoTime() - t0) / 1e6);
      r.close();
    }
    times.sort(null);
    return new double[] {times.get(0), times.get(times.size() / 2)};
  }

  public static void main(String[] args) throws Exception {
    String[] names = {"sum over rows", "mean over rows", "sum over columns", "softmax along rows",
        "log_softmax along rows", "softmax backward along rows", "softmax along columns"};
    String[] keys = {"sum_rows", "mean_rows", "sum_columns", "softmax_rows", "log_softmax_rows",
        "softmax_backward_rows", "softmax_columns"};
    double[][] k = new double[keys.length][];
    try (ModeScope g = Autograd.noGrad(); TensorScope s = TensorScope.open()) {
      Kiln.manualSeed(0);
      Tensor x = Tensor.randn(N, N), y = x.softmax(1), grad = Tensor.randn(N, N);
      int backward = Core.op("_softmax_backward_data");
      Workload[] w = {() -> x.sum(1), () -> x.mean(1), () -> x.sum(0), () -> x.softmax(1), () -> x.logSoftmax(1),
          () -> Tensor.adopt(Core.call(backward, Frame.of(new long[] {grad.handle(), y.handle()}, new long[] {1}))),
          () -> x.softmax(0)};
      for (int i = 0; i < w.length; i++) k[i] = millis(w[i]);
    }
    String torch = pytorch(Kiln.getNumThreads());
    System.out.println("4096 x 4096 float32, ms per call (best and median of " + REPEATS + "), Kiln on "
        + Kiln.getNumThreads() + " threads");
    System.out.printf(Locale.ROOT, "%-30s %8s %8s %7s   %8s %8s %7s%n", "workload", "Kiln", "PyTorch", "ratio",
        "Kiln med", "PyT med", "ratio");
    for (int i = 0; i < keys.length; i++)
      row(names[i], k[i], field(torch, keys[i] + "_best_ms"), field(torch, keys[i] + "_median_ms"));
    if (torch == null) System.out.println("(PyTorch not found: apt-get install python3-torch for its figures)");
    else System.out.println("PyTorch " + torch.replaceAll(".*\"threads\": (\\d+).*", "$1")
        + " threads, from Python; ratio = PyTorch / Kiln (> 1: Kiln faster)");
  }

  private static void row(String name, double[] kiln, double best, double median) {
    System.out.printf(Locale.ROOT, "%-30s %8.2f %8s %7s   %8.2f %8s %7s%n", name, kiln[0], num(best), ratio(best, kiln[0]),
        kiln[1], num(median), ratio(median, kiln[1]));
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
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
    Path script = Path.of("benchmarks/pytorch/reductions.py");
    if (!Files.exists(script)) script = Path.of("pytorch/reductions.py");
    if (!Files.exists(Path.of(PYTHON)) || !Files.exists(script)) return null;
    Process p = new ProcessBuilder(Arrays.asList(PYTHON, script.toString(), Integer.toString(threads)))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    return p.waitFor() == 0 ? out.lines().filter(l -> l.startsWith("{")).findFirst().orElse(null) : null;
  }

  private ReductionBench() {}
}
