package dev.kiln.bench;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Convolutions;
import dev.kiln.nn.functional.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Convolution and pooling at the Fashion-MNIST CNN's shapes (batch 64: 1 -> 32 channels, 3x3, padding 1 on 28x28;
 * 32 -> 64 on 14x14; max_pool 2) and at a ResNet-18 block's (batch 32, 64 channels, 56x56, 3x3, padding 1),
 * forward alone and forward + backward, against PyTorch in the same run (benchmarks/pytorch/conv.py, the best
 * of its thread settings: default, OMP_WAIT_POLICY=PASSIVE, OPENBLAS_NUM_THREADS=1, each at its default thread
 * count and at 2 threads). Kiln's passes alternate with PyTorch's runs. Prints median milliseconds with the
 * spread, and the ratio. With the argument "kiln", Kiln's figures alone.
 *
 * <pre>mvn -B -q -pl benchmarks -am package exec:java -DskipTests -Dexec.mainClass=dev.kiln.bench.ConvBench</pre>
 */
public final class ConvBench {
  private static final String PYTHON = "/usr/bin/python3";
  private static final int REPEATS = 11;

  interface Workload {
    void run();
  }

  /** [median, min, max] of the repeats, in ms, after two warm-up runs. */
  static double[] time(Workload w) {
    for (int i = 0; i < 2; i++) w.run();
    List<Double> t = new ArrayList<>();
    for (int i = 0; i < REPEATS; i++) {
      long t0 = System.nanoTime();
      w.run();
      t.add((System.nanoTime() - t0) / 1e6);
    }
    t.sort(null);
    return new double[] {t.get(t.size() / 2), t.get(0), t.get(t.size() - 1)};
  }

  static void conv(Map<String, double[]> out, String name, int n, int cin, int cout, int hw, boolean inputGrad) {
    Generator g = new Generator(1);
    Tensor x = Tensor.randn(g, DType.FLOAT32, n, cin, hw, hw).requiresGrad(inputGrad);
    Tensor w = Tensor.randn(g, DType.FLOAT32, cout, cin, 3, 3).mul(0.1).requiresGrad(true);
    Tensor b = Tensor.zeros(cout).requiresGrad(true);
    Tensor gy = Tensor.randn(g, DType.FLOAT32, n, cout, hw, hw);
    out.put(name + "_fwd", time(() -> {
      try (ModeScope m = Autograd.noGrad(); TensorScope s = TensorScope.open()) {
        Convolutions.conv2d(x, w, b, 1, 1, 1, 1);
      }
    }));
    out.put(name + "_fwd_bwd", time(() -> {
      try (TensorScope s = TensorScope.open()) {
        Convolutions.conv2d(x, w, b, 1, 1, 1, 1).backward(gy);
        x.setGrad(null);
        w.setGrad(null);
        b.setGrad(null);
      }
    }));
  }

  static void pool(Map<String, double[]> out, String name, int n, int c, int hw) {
    Generator g = new Generator(2);
    Tensor x = Tensor.randn(g, DType.FLOAT32, n, c, hw, hw).requiresGrad(true);
    Tensor gy = Tensor.randn(g, DType.FLOAT32, n, c, hw / 2, hw / 2);
    out.put(name + "_fwd", time(() -> {
      try (ModeScope m = Autograd.noGrad(); TensorScope s = TensorScope.open()) {
        Pooling.maxPool2d(x, 2);
      }
    }));
    out.put(name + "_fwd_bwd", time(() -> {
      try (TensorScope s = TensorScope.open()) {
        Pooling.maxPool2d(x, 2).backward(gy);
        x.setGrad(null);
      }
    }));
  }

  /** One pass over Kiln's workloads; each value is [median, min, max] of its repeats. */
  static Map<String, double[]> kilnPass() {
    Map<String, double[]> kiln = new LinkedHashMap<>();
    conv(kiln, "mnist_conv1", 64, 1, 32, 28, false);
    conv(kiln, "mnist_conv2", 64, 32, 64, 14, true);
    pool(kiln, "mnist_pool1", 64, 32, 28);
    pool(kiln, "mnist_pool2", 64, 64, 14);
    conv(kiln, "resnet_conv", 32, 64, 64, 56, true);
    return kiln;
  }

  public static void main(String[] args) throws Exception {
    kilnPass(); // warm-up: JIT, allocator caches
    if (args.length > 0 && args[0].equals("kiln")) {
      kilnPass().forEach((k, v) -> System.out.printf(Locale.ROOT, "%-22s %s%n", k, fmt(v)));
      return;
    }
    // Kiln's passes alternate with PyTorch's runs, one per thread setting, so that both meet the same background
    // load on a shared machine; Kiln's figure is the median of its passes' medians, with their range.
    String[][] settings = {{"default", "", ""}, {"default, 2 threads", "", "2"},
        {"OMP_WAIT_POLICY=PASSIVE", "OMP_WAIT_POLICY", ""}, {"OMP_WAIT_POLICY=PASSIVE, 2 threads", "OMP_WAIT_POLICY", "2"},
        {"OPENBLAS_NUM_THREADS=1", "OPENBLAS_NUM_THREADS", ""}, {"OPENBLAS_NUM_THREADS=1, 2 threads", "OPENBLAS_NUM_THREADS", "2"}};
    Map<String, List<Double>> kilnMedians = new LinkedHashMap<>();
    Map<String, double[]> best = new LinkedHashMap<>();
    Map<String, String> bestSetting = new LinkedHashMap<>();
    for (String[] setting : settings) {
      kilnPass().forEach((k, v) -> kilnMedians.computeIfAbsent(k, x -> new ArrayList<>()).add(v[0]));
      String json = pytorch(setting[1], setting[2]);
      if (json == null) continue;
      for (String k : kilnMedians.keySet()) {
        double[] v = field(json, k);
        if (v != null && (!best.containsKey(k) || v[0] < best.get(k)[0])) {
          best.put(k, v);
          bestSetting.put(k, setting[0]);
        }
      }
    }
    System.out.println("convolution and pooling, float32, ms. Kiln: median of " + settings.length + " passes' medians ("
        + REPEATS + " runs each), with their range; PyTorch: its best setting's median (min-max of " + REPEATS + " runs)");
    System.out.printf(Locale.ROOT, "%-22s %-24s %-24s %7s %7s  %s%n", "workload", "Kiln", "PyTorch (best setting)",
        "ratio", "best", "PyTorch's setting");
    for (var e : kilnMedians.entrySet()) {
      List<Double> m = new ArrayList<>(e.getValue());
      m.sort(null);
      double[] kv = {m.get(m.size() / 2), m.get(0), m.get(m.size() - 1)};
      double[] tv = best.get(e.getKey());
      System.out.printf(Locale.ROOT, "%-22s %-24s %-24s %7s %7s  %s%n", e.getKey(), fmt(kv), tv == null ? "-" : fmt(tv),
          tv == null ? "-" : String.format(Locale.ROOT, "%.2fx", tv[0] / kv[0]),
          tv == null ? "-" : String.format(Locale.ROOT, "%.2fx", tv[0] / kv[1]), bestSetting.getOrDefault(e.getKey(), ""));
    }
    if (best.isEmpty()) System.out.println("(PyTorch not found: apt-get install python3-torch for its figures)");
    else System.out.println("ratio = PyTorch / Kiln (> 1: Kiln faster); best: against Kiln's fastest pass, as PyTorch's "
        + "figure is its fastest setting (on a loaded machine the fairer of the two)");
  }

  private static String fmt(double[] v) {
    return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", v[0], v[1], v[2]);
  }

  private static double[] field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": \\[([0-9.eE+-]+), ([0-9.eE+-]+), ([0-9.eE+-]+)\\]").matcher(json);
    return m.find() ? new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
        Double.parseDouble(m.group(3))} : null;
  }

  /** PyTorch's figures as one JSON line under an environment setting, or null when it is not installed. */
  private static String pytorch(String envVar, String threads) throws IOException, InterruptedException {
    Path script = Path.of("benchmarks/pytorch/conv.py");
    if (!Files.exists(script)) script = Path.of("pytorch/conv.py");
    if (!Files.exists(Path.of(PYTHON)) || !Files.exists(script)) return null;
    List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
    if (!threads.isEmpty()) cmd.add(threads);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (envVar.equals("OMP_WAIT_POLICY")) pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    if (envVar.equals("OPENBLAS_NUM_THREADS")) pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    return p.waitFor() == 0 ? out.lines().filter(l -> l.startsWith("{")).findFirst().orElse(null) : null;
  }

  private ConvBench() {}
}
