package dev.kiln.bench;

import dev.kiln.DType;
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
 * The heavy float32 elementwise ops on 16M elements (the vectorized exp, log, log1p, expm1, sin, cos, erf,
 * tanh, sigmoid; tan from the C library for contrast; clamp, maximum, and the float16 conversion and
 * arithmetic). Runs PyTorch's side (benchmarks/pytorch/pointwise_ops.py) in the same run when Debian's
 * python3-torch is installed, and prints both with the ratio. Figures are medians of ms per op.
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

  public static void main(String[] args) throws Exception {
    Map<String, Double> kiln = new LinkedHashMap<>();
    try (TensorScope s = TensorScope.open()) {
      // x[i] = ((i * 7919) % 20011) / 10000 - 1, in [-1, 1), as the PyTorch script makes it.
      Tensor i = Tensor.arange(N);
      Tensor x = i.mul(7919L).remainder(20011L).to(DType.FLOAT64).div(10000.0).sub(1.0).to(DType.FLOAT32);
      Tensor pos = x.abs().add(0.01);
      Tensor h = x.to(DType.FLOAT16);
      kiln.put("exp", millis(x::exp));
      kiln.put("log", millis(pos::log));
      kiln.put("log1p", millis(pos::log1p));
      kiln.put("expm1", millis(x::expm1));
      kiln.put("sin", millis(x::sin));
      kiln.put("cos", millis(x::cos));
      kiln.put("erf", millis(x::erf));
      kiln.put("tanh", millis(x::tanh));
      kiln.put("sigmoid", millis(x::sigmoid));
      kiln.put("tan", millis(x::tan));
      kiln.put("clamp", millis(() -> x.clamp(-0.5, 0.5)));
      kiln.put("maximum", millis(() -> x.maximum(pos)));
      kiln.put("to_float16", millis(() -> x.to(DType.FLOAT16)));
      kiln.put("float16_add", millis(() -> h.add(h)));
    }
    String torch = pytorch();
    System.out.println("float32 elementwise ops on " + N + " elements, ms per op (median of 7 runs)");
    System.out.printf(Locale.ROOT, "%-14s %9s %9s %7s%n", "op", "Kiln", "PyTorch", "ratio");
    for (Map.Entry<String, Double> e : kiln.entrySet()) {
      double t = field(torch, e.getKey());
      String ts = Double.isNaN(t) ? "-" : String.format(Locale.ROOT, "%.2f", t);
      String r = Double.isNaN(t) ? "-" : String.format(Locale.ROOT, "%.2fx", t / e.getValue());
      System.out.printf(Locale.ROOT, "%-14s %9.2f %9s %7s%n", e.getKey(), e.getValue(), ts, r);
    }
    if (torch == null) System.out.println("(PyTorch not found: apt-get install python3-torch for its figures)");
    else System.out.println("PyTorch " + torch.replaceAll(".*\"threads\": (\\d+).*", "$1") + " threads, writing into a preallocated out=; "
        + "Kiln allocates each result; ratio = PyTorch / Kiln (> 1: Kiln faster)");
  }

  private static double field(String json, String name) {
    if (json == null) return Double.NaN;
    Matcher m = Pattern.compile("\"" + name + "\": ([0-9.eE+-]+)").matcher(json);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** PyTorch's figures as one JSON line, or null when it is not installed. */
  private static String pytorch() throws IOException, InterruptedException {
    Path script = Path.of("benchmarks/pytorch/pointwise_ops.py");
    if (!Files.exists(script)) script = Path.of("pytorch/pointwise_ops.py");
    if (!Files.exists(Path.of(PYTHON)) || !Files.exists(script)) return null;
    Process p = new ProcessBuilder(Arrays.asList(PYTHON, script.toString())).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    return p.waitFor() == 0 ? out.lines().filter(l -> l.startsWith("{")).findFirst().orElse(null) : null;
  }

  private PointwiseBench() {}
}
