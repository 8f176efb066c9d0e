package dev.kiln.bench;

import dev.kiln.DType;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heavy float32 elementwise ops on 16M elements (the vectorized exp, log, log1p, expm1, sin, cos, tan, erf,
 * tanh, sigmoid; atan from the C library for contrast; clamp, maximum, and the float16 conversion and
 * arithmetic), with one thread and with the core's default pool. Runs PyTorch's side
 * (benchmarks/pytorch/pointwise_ops.py) with the same thread counts in the same run when Debian's python3-torch
 * is installed, and prints both with the ratio. Figures are medians of ms per op.
 *
 * <pre>mvn -B -q package -DskipTests; java -cp ... dev.kiln.bench.PointwiseBench</pre>
 */
public final class PointwiseBench {
  private static final long N = 16L * 1024 * 1024;
  private static final String PYTHON = "/usr/bin/python3";

  static double millis(Supplier<Tensor> op) {
    for (int i = 0; i < 2; i++) op.get().close();
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      long t0 = System.nanoTime();
      Tensor r = op.get();
      times.add((System.nanoTime() - t0) / 1e6);
      r.close();
    }
    times.sort(null);
    return times.get(times.size() / 2);
  }

  /** Each op's median ms, with the core's pool at `threads`. */
  static Map<String, Double> kiln(int threads) {
    Kiln.setNumThreads(threads);
    Map<String, Double> ms = new LinkedHashMap<>();
    try (TensorScope s = TensorScope.open()) {
      // x[i] = ((i * 7919) % 20011) / 10000 - 1, in [-1, 1), as the PyTorch script makes it.
      Tensor i = Tensor.arange(N);
      Tensor x = i.mul(7919L).remainder(20011L).to(DType.FLOAT64).div(10000.0).sub(1.0).to(DType.FLOAT32);
      Tensor pos = x.abs().add(0.01);
      Tensor h = x.to(DType.FLOAT16);
      ms.put("exp", millis(x::exp));
      ms.put("log", millis(pos::log));
      ms.put("log1p", millis(pos::log1p));
      ms.put("expm1", millis(x::expm1));
      ms.put("sin", millis(x::sin));
      ms.put("cos", millis(x::cos));
      ms.put("tan", millis(x::tan));
      ms.put("erf", millis(x::erf));
      ms.put("tanh", millis(x::tanh));
      ms.put("sigmoid", millis(x::sigmoid));
      ms.put("atan", millis(x::atan));
      ms.put("clamp", millis(() -> x.clamp(-0.5, 0.5)));
      ms.put("maximum", millis(() -> x.maximum(pos)));
      ms.put("to_float16", millis(() -> x.to(DType.FLOAT16)));
      ms.put("float16_add", millis(() -> h.add(h)));
    }
    return ms;
  }

  public static void main(String[] args) throws Exception {
    int all = Kiln.getNumThreads();
    Map<String, Double> one = kiln(1), many = kiln(all);
    Kiln.setNumThreads(all);
    String torchOne = pytorch(1), torchMany = pytorch(all);
    System.out.println("float32 elementwise ops on " + N + " elements, ms per op (median of 7 runs)");
    System.out.printf(Locale.ROOT, "%-12s | %8s %8s %7s | %8s %8s %7s%n", "", "Kiln", "PyTorch", "", "Kiln", "PyTorch", "");
    System.out.printf(Locale.ROOT, "%-12s | %8s %8s %7s | %8s %8s %7s%n", "op", "1 thread", "1 thread", "ratio",
        all + " thr", all + " thr", "ratio");
    for (String op : one.keySet()) {
      double k1 = one.get(op), kn = many.get(op), t1 = field(torchOne, op), tn = field(torchMany, op);
      System.out.printf(Locale.ROOT, "%-12s | %8.2f %8s %7s | %8.2f %8s %7s%n", op, k1, fmt(t1), ratio(t1, k1), kn,
          fmt(tn), ratio(tn, kn));
    }
    if (torchOne == null) System.out.println("(PyTorch not found: apt-get install python3-torch for its figures)");
    else System.out.println("PyTorch writes into a preallocated out=, Kiln allocates each result; ratio = PyTorch / Kiln "
        + "(> 1: Kiln faster)");
  }

  private static String fmt(double v) {
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

  /** PyTorch's figures with `threads` threads as one JSON line, or null when it is not installed. */
  private static String pytorch(int threads) throws IOException, InterruptedException {
    Path script = Path.of("benchmarks/pytorch/pointwise_ops.py");
    if (!Files.exists(script)) script = Path.of("pytorch/pointwise_ops.py");
    if (!Files.exists(Path.of(PYTHON)) || !Files.exists(script)) return null;
    Process p = new ProcessBuilder(Arrays.asList(PYTHON, script.toString(), Integer.toString(threads)))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    return p.waitFor() == 0 ? out.lines().filter(l -> l.startsWith("{")).findFirst().orElse(null) : null;
  }

  private PointwiseBench() {}
}
