package dev.kiln.bench;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Attention;
import dev.kiln.nn.functional.Dropouts;
import dev.kiln.nn.functional.Normalization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Normalization against PyTorch (benchmarks/pytorch/norm.py) in the same run, on the same thread count: batch
 * norm of [64, 32, 28, 28] and [256, 512] in training, layer norm of [64, 128, 768] over 768, group norm of [32,
 * 64, 28, 28] in 8 groups, dropout, and scaled dot-product attention of [8, 8, 256, 64] (Kiln's composite of
 * GEMMs and the fused softmax against PyTorch 1.13's math path), forward alone and forward + backward through
 * autograd (weights and biases included). Figures are the best and the median of 21 calls, in milliseconds.
 *
 * <pre>mvn -B -q -pl benchmarks -am package exec:java -DskipTests -Dexec.mainClass=dev.kiln.bench.NormBench</pre>
 */
public final class NormBench {
  private static final int REPEATS = 21;
  private static final String PYTHON = "/usr/bin/python3";

  /** {best, median} milliseconds per call; each call runs in a scope that releases what it made. */
  static double[] millis(Runnable work) {
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < REPEATS + 3; i++) {
      try (TensorScope s = TensorScope.open()) {
        long t0 = System.nanoTime();
        work.run();
        if (i >= 3) times.add((System.nanoTime() - t0) / 1e6); // the first three warm up the JIT and allocator
      }
    }
    times.sort(null);
    return new double[] {times.get(0), times.get(times.size() / 2)};
  }

  /** Forward, then backward from seed; the leaves' grads are dropped first, as PyTorch's side does. */
  static Runnable trainStep(Supplier<Tensor> forward, Tensor seed, Tensor... leaves) {
    return () -> {
      for (Tensor t : leaves) t.setGrad(null);
      forward.get().backward(seed);
    };
  }

  static Runnable noGrad(Supplier<Tensor> forward) {
    return () -> {
      try (ModeScope g = Autograd.noGrad()) {
        forward.get();
      }
    };
  }

  static Tensor randn(Generator g, long... shape) {
    return Tensor.randn(g, DType.FLOAT32, shape);
  }

  static Tensor leaf(Tensor t) {
    return TensorScope.escape(t.requiresGrad(true));
  }

  public static void main(String[] args) throws Exception {
    List<String> names = new ArrayList<>(), keys = new ArrayList<>();
    List<double[]> kiln = new ArrayList<>();
    try (Generator g = new Generator(0)) {
      Tensor x = leaf(randn(g, 64, 32, 28, 28)), w = leaf(Tensor.ones(32)), b = leaf(Tensor.zeros(32));
      Tensor rm = Tensor.zeros(32), rv = Tensor.ones(32), gy = randn(g, 64, 32, 28, 28);
      Supplier<Tensor> bn = () -> Normalization.batchNorm(x, rm, rv, w, b, true, 0.1, 1e-5);
      add(names, keys, kiln, "batch_norm [64,32,28,28] forward", "bn2d_fwd", millis(noGrad(bn)));
      add(names, keys, kiln, "batch_norm [64,32,28,28] fwd+bwd", "bn2d_fwd_bwd", millis(trainStep(bn, gy, x, w, b)));

      Tensor x1 = leaf(randn(g, 256, 512)), w1 = leaf(Tensor.ones(512)), b1 = leaf(Tensor.zeros(512));
      Tensor rm1 = Tensor.zeros(512), rv1 = Tensor.ones(512), g1 = randn(g, 256, 512);
      Supplier<Tensor> bn1 = () -> Normalization.batchNorm(x1, rm1, rv1, w1, b1, true, 0.1, 1e-5);
      add(names, keys, kiln, "batch_norm [256,512] fwd+bwd", "bn1d_fwd_bwd", millis(trainStep(bn1, g1, x1, w1, b1)));

      Tensor h = leaf(randn(g, 64, 128, 768)), lw = leaf(Tensor.ones(768)), lb = leaf(Tensor.zeros(768));
      Tensor gh = randn(g, 64, 128, 768);
      Supplier<Tensor> ln = () -> Normalization.layerNorm(h, new long[] {768}, lw, lb, 1e-5);
      add(names, keys, kiln, "layer_norm [64,128,768] forward", "ln_fwd", millis(noGrad(ln)));
      add(names, keys, kiln, "layer_norm [64,128,768] fwd+bwd", "ln_fwd_bwd", millis(trainStep(ln, gh, h, lw, lb)));

      Tensor xg = leaf(randn(g, 32, 64, 28, 28)), gw = leaf(Tensor.ones(64)), gb = leaf(Tensor.zeros(64));
      Tensor gg = randn(g, 32, 64, 28, 28);
      Supplier<Tensor> gn = () -> Normalization.groupNorm(xg, 8, gw, gb, 1e-5);
      add(names, keys, kiln, "group_norm [32,64,28,28] fwd+bwd", "gn_fwd_bwd", millis(trainStep(gn, gg, xg, gw, gb)));

      add(names, keys, kiln, "dropout p 0.5 [64,32,28,28]", "dropout_fwd",
          millis(noGrad(() -> Dropouts.dropout(x, 0.5, true, false, g))));

      Tensor q = leaf(randn(g, 8, 8, 256, 64)), k = leaf(randn(g, 8, 8, 256, 64)), v = leaf(randn(g, 8, 8, 256, 64));
      Tensor go = randn(g, 8, 8, 256, 64);
      Supplier<Tensor> sdpa = () -> Attention.scaledDotProductAttention(q, k, v);
      add(names, keys, kiln, "attention [8,8,256,64] forward", "sdpa_fwd", millis(noGrad(sdpa)));
      add(names, keys, kiln, "attention [8,8,256,64] fwd+bwd", "sdpa_fwd_bwd", millis(trainStep(sdpa, go, q, k, v)));
    }
    String torch = pytorch(Kiln.getNumThreads());
    System.out.println("float32, ms per call (best and median of " + REPEATS + "), Kiln on " + Kiln.getNumThreads()
        + " threads");
    System.out.printf(Locale.ROOT, "%-34s %8s %8s %7s   %8s %8s %7s%n", "workload", "Kiln", "PyTorch", "ratio",
        "Kiln med", "PyT med", "ratio");
    for (int i = 0; i < keys.size(); i++)
      row(names.get(i), kiln.get(i), field(torch, keys.get(i) + "_best_ms"), field(torch, keys.get(i) + "_median_ms"));
    if (torch == null) System.out.println("(PyTorch not found: apt-get install python3-torch for its figures)");
    else System.out.println("PyTorch " + torch.replaceAll(".*\"threads\": (\\d+).*", "$1")
        + " threads, from Python; ratio = PyTorch / Kiln (> 1: Kiln faster)");
  }

  private static void add(List<String> names, List<String> keys, List<double[]> kiln, String name, String key,
      double[] ms) {
    names.add(name);
    keys.add(key);
    kiln.add(ms);
  }

  private static void row(String name, double[] kiln, double best, double median) {
    System.out.printf(Locale.ROOT, "%-34s %8.2f %8s %7s   %8.2f %8s %7s%n", name, kiln[0], num(best), ratio(best, kiln[0]),
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
    Path script = Path.of("benchmarks/pytorch/norm.py");
    if (!Files.exists(script)) script = Path.of("pytorch/norm.py");
    if (!Files.exists(Path.of(PYTHON)) || !Files.exists(script)) return null;
    Process p = new ProcessBuilder(Arrays.asList(PYTHON, script.toString(), Integer.toString(threads)))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    return p.waitFor() == 0 ? out.lines().filter(l -> l.startsWith("{")).findFirst().orElse(null) : null;
  }

  private NormBench() {}
}
