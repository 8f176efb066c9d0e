package dev.kiln.bench;

import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
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
 * Per-op cost of tiny ops (1-element tensors), where dispatch and graph recording dominate: an add without
 * autograd, an add that records a node, and a chain of 1,000 ops forward then backward. Runs PyTorch's
 * side (benchmarks/pytorch/tiny_ops.py) in the same run when Debian's python3-torch is installed, and
 * prints both with the ratio. Figures are medians of µs per op.
 *
 * <pre>mvn -B -q -pl benchmarks -am package exec:java -DskipTests -Dexec.mainClass=dev.kiln.bench.TinyOpsBench</pre>
 */
public final class TinyOpsBench {
  private static final int CHAIN = 1000;
  private static final String PYTHON = "/usr/bin/python3";

  interface Workload {
    void run();
  }

  static double microsPerOp(Workload w, int ops) {
    for (int i = 0; i < 20; i++) w.run(); // warm-up: JIT and allocator caches
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < 31; i++) {
      long t0 = System.nanoTime();
      w.run();
      times.add((System.nanoTime() - t0) / 1e3 / ops);
    }
    times.sort(null);
    return times.get(times.size() / 2);
  }

  public static void main(String[] args) throws Exception {
    Tensor a = Tensor.ones(1), b = Tensor.ones(1);
    Tensor x = Tensor.ones(1).requiresGrad(true);

    double addNoGrad = microsPerOp(() -> {
      try (ModeScope g = Autograd.noGrad(); TensorScope s = TensorScope.open()) {
        for (int i = 0; i < CHAIN; i++) a.add(b);
      }
    }, CHAIN);
    double addRecorded = microsPerOp(() -> {
      try (TensorScope s = TensorScope.open()) {
        for (int i = 0; i < CHAIN; i++) x.add(b);
      }
    }, CHAIN);
    double chain = microsPerOp(() -> {
      try (TensorScope s = TensorScope.open()) {
        Tensor y = x;
        for (int i = 0; i < CHAIN; i++) y = i % 2 == 1 ? y.mul(1.0001) : y.add(1.0);
        y.backward();
        x.setGrad(null);
      }
    }, CHAIN);

    String torch = pytorch();
    System.out.println("tiny ops, µs per op (median of 31 runs of " + CHAIN + " ops)");
    System.out.printf(Locale.ROOT, "%-42s %8s %8s %7s%n", "workload", "Kiln", "PyTorch", "ratio");
    row("a + b, no autograd", addNoGrad, field(torch, "add_no_grad_us"));
    row("a + b, recording a node", addRecorded, field(torch, "add_recorded_us"));
    row("1,000-op chain, forward + backward", chain, field(torch, "chain_fwd_bwd_us"));
    if (torch == null) System.out.println("(PyTorch not found: apt-get install python3-torch for its figures)");
    else System.out.println("PyTorch " + torch.replaceAll(".*\"threads\": (\\d+).*", "$1") + " threads, from Python; ratio = PyTorch / Kiln (> 1: Kiln faster)");
  }

  private static void row(String name, double kiln, double torch) {
    String t = Double.isNaN(torch) ? "-" : String.format(Locale.ROOT, "%.2f", torch);
    String r = Double.isNaN(torch) ? "-" : String.format(Locale.ROOT, "%.2fx", torch / kiln);
    System.out.printf(Locale.ROOT, "%-42s %8.2f %8s %7s%n", name, kiln, t, r);
  }

  private static double field(String json, String name) {
    if (json == null) return Double.NaN;
    Matcher m = Pattern.compile("\"" + name + "\": ([0-9.eE+-]+)").matcher(json);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** PyTorch's figures as one JSON line, or null when it is not installed. */
  private static String pytorch() throws IOException, InterruptedException {
    Path script = Path.of("benchmarks/pytorch/tiny_ops.py");
    if (!Files.exists(script)) script = Path.of("pytorch/tiny_ops.py");
    if (!Files.exists(Path.of(PYTHON)) || !Files.exists(script)) return null;
    Process p = new ProcessBuilder(Arrays.asList(PYTHON, script.toString())).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    return p.waitFor() == 0 ? out.lines().filter(l -> l.startsWith("{")).findFirst().orElse(null) : null;
  }

  private TinyOpsBench() {}
}
