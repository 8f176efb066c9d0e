package dev.kiln.bench;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.nn.functional.Activations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * gelu, silu and softplus on 16M float32 values: the forward and the fused backward op (grad * f'(x)), against
 * PyTorch's (benchmarks/pytorch/activations.py) in the same run, at 1 thread and at the machine's thread count.
 * Figures are medians of 11 runs, in ms.
 *
 * <pre>mvn -B -q -pl benchmarks -am package exec:java -DskipTests -Dexec.mainClass=dev.kiln.bench.ActivationsBench</pre>
 */
public final class ActivationsBench {
  private static final int N = 16 * 1024 * 1024;
  private static final String PYTHON = "/usr/bin/python3";

  static double medianMs(Supplier<Tensor> op) {
    for (int i = 0; i < 2; i++) op.get().close();
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      long t0 = System.nanoTime();
      Tensor t = op.get();
      times.add((System.nanoTime() - t0) / 1e6);
      t.close();
    }
    times.sort(null);
    return times.get(times.size() / 2);
  }

  static Tensor backwardOp(String name, Tensor grad, Tensor x, double... reals) {
    long[] ints = name.equals("gelu_backward") ? new long[] {0} : new long[0];
    return Tensor.adopt(Core.call(Core.op(name), Frame.of(new long[] {grad.handle(), x.handle()}, ints, reals)));
  }

  public static void main(String[] args) throws Exception {
    int machine = Kiln.getNumThreads();
    Tensor x, grad;
    try (Generator g = new Generator(0)) {
      x = Tensor.randn(g, DType.FLOAT32, N).mul(3);
      grad = Tensor.randn(g, DType.FLOAT32, N);
    }
    System.out.println("activations on 16M float32, ms (median of 11); ratio = PyTorch / Kiln (> 1: Kiln faster)");
    for (int threads : machine > 1 ? new int[] {1, machine} : new int[] {1}) {
      Kiln.setNumThreads(threads);
      String torch = pytorch(threads);
      System.out.printf(Locale.ROOT, "%n%d thread(s)%n%-22s %8s %8s %7s%n", threads, "op", "Kiln", "PyTorch", "ratio");
      try (TensorScope s = TensorScope.open()) {
        row("gelu forward", medianMs(() -> Activations.gelu(x)), field(torch, "gelu_fwd"));
        row("gelu backward", medianMs(() -> backwardOp("gelu_backward", grad, x)), field(torch, "gelu_bwd"));
        row("silu forward", medianMs(() -> Activations.silu(x)), field(torch, "silu_fwd"));
        row("silu backward", medianMs(() -> backwardOp("silu_backward", grad, x)), field(torch, "silu_bwd"));
        row("softplus forward", medianMs(() -> Activations.softplus(x)), field(torch, "softplus_fwd"));
        row("softplus backward", medianMs(() -> backwardOp("softplus_backward", grad, x, 1.0, 20.0)),
            field(torch, "softplus_bwd"));
      }
      if (torch == null) System.out.println("(PyTorch not found: apt-get install python3-torch for its figures)");
    }
    Kiln.setNumThreads(machine);
  }

  private static void row(String name, double kiln, double torch) {
    String t = Double.isNaN(torch) ? "-" : String.format(Locale.ROOT, "%.2f", torch);
    String r = Double.isNaN(torch) ? "-" : String.format(Locale.ROOT, "%.2fx", torch / kiln);
    System.out.printf(Locale.ROOT, "%-22s %8.2f %8s %7s%n", name, kiln, t, r);
  }

  private static double field(String json, String name) {
    if (json == null) return Double.NaN;
    Matcher m = Pattern.compile("\"" + name + "\": ([0-9.eE+-]+)").matcher(json);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** PyTorch's figures at the given thread count as one JSON line, or null when it is not installed. */
  private static String pytorch(int threads) throws IOException, InterruptedException {
    Path script = Path.of("benchmarks/pytorch/activations.py");
    if (!Files.exists(script)) script = Path.of("pytorch/activations.py");
    if (!Files.exists(Path.of(PYTHON)) || !Files.exists(script)) return null;
    Process p = new ProcessBuilder(List.of(PYTHON, script.toString(), Integer.toString(threads))).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    return p.waitFor() == 0 ? out.lines().filter(l -> l.startsWith("{")).findFirst().orElse(null) : null;
  }

  private ActivationsBench() {}
}
