package dev.kiln.bench;

import dev.kiln.Kiln;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark table: every workload in Kiln (JMH, in this JVM), in PyTorch 1.13 from Python under each thread
 * setting, and in PyTorch 2.7.1 in a forked JVM when built with -Pbytedeco-pytorch. Each workload runs in PyTorch
 * 1.13 right after Kiln, so that both meet the same background load; the rounds repeat that. Writes the Markdown table to --out and prints it.
 *
 * <pre>mvn -B -q -pl benchmarks -Pbytedeco-pytorch package exec:exec -DskipTests -Dbench.args="--quick"</pre>
 */
public final class Runner {
  static final String KILN_JMH = "dev.kiln.bench.jmh";
  static final String BYTEDECO_JMH = "dev.kiln.bench.bytedeco";
  static final String COMMAND =
      "mvn -B -q -pl benchmarks [-Pbytedeco-pytorch] package exec:exec -DskipTests -Dbench.args=\"...\"";
  /** Training steps run before reading the peak resident memory. */
  static final int MEMORY_STEPS = 30;
  /** Where a forked JVM that crashes writes its report (not into the working tree). */
  static final String CRASH_LOG = System.getProperty("java.io.tmpdir") + "/kiln-bench-hs_err_%p.log";

  private Runner() {}

  public static void main(String[] args) throws Exception {
    RunOptions o = RunOptions.parse(args);
    List<Workload> work = o.select();
    if (work.isEmpty()) throw new IllegalArgumentException("no workload id matches " + o.only());
    Timing t = o.timing();
    PyTorchProcess torch = new PyTorchProcess(o.python(), PyTorchProcess.defaultScript());
    // PyTorch in the JVM runs where -Pbytedeco-pytorch put it on the class path and some workload has its form.
    boolean inJvm = Runner.class.getClassLoader().getResource("org/bytedeco/pytorch/global/torch.class") != null
        && work.stream().anyMatch(w -> w.bytedeco() != null);
    List<String> notes = new ArrayList<>();
    List<String> ids = work.stream().map(Workload::id).toList();
    Samples s = new Samples();
    Map<ThreadSetting, PyTorchProcess.Server> servers = new EnumMap<>(ThreadSetting.class);
    try {
      for (int round = 1; round <= t.rounds(); round++) {
        // Each workload in Kiln, then at once in PyTorch 1.13 under each thread setting (a serving process each).
        for (Workload w : work) {
          log("round %d/%d, Kiln: %s", round, t.rounds(), w.id());
          s.add(Samples.KILN, w.id(), JmhSession.run(KILN_JMH, w.kiln(), t));
          if (w.openBlas() != null) s.add(Samples.OPENBLAS, w.id(), JmhSession.run(KILN_JMH, w.openBlas(), t));
          for (ThreadSetting setting : ThreadSetting.values()) {
            boolean redundant = setting == ThreadSetting.ALL_CORES && torch.defaultThreads() >= setting.threads();
            if (!torch.available() || redundant) continue;
            log("round %d/%d, PyTorch 1.13 (%s): %s", round, t.rounds(), setting.label(), w.id());
            try {
              PyTorchProcess.Server server = servers.get(setting);
              if (server == null || !server.alive()) servers.put(setting, server = torch.serve(setting));
              s.addAll(Samples.PYTORCH + setting.label(), ChildProcess.results(server.run(List.of(w.id()), t)));
            } catch (IOException e) {
              notes.add("PyTorch under " + setting.label() + " failed on " + w.id() + " in round " + round + ": "
                  + e.getMessage());
            }
          }
        }
        if (inJvm) {
          for (ThreadSetting setting : ThreadSetting.values()) {
            log("round %d/%d, PyTorch 2.7.1 in the JVM (%s)", round, t.rounds(), setting.label());
            inJvmRound(s, setting, ids, t, notes);
          }
        }
      }
    } finally {
      servers.values().forEach(PyTorchProcess.Server::close);
    }
    Map<String, ResultTable.Memory> memory = peakMemory(work, torch, s, notes);
    String table = ResultTable.render(header(o, torch), work, s, memory, notes(torch, inJvm, o.kernels(), notes));
    if (o.out().getParent() != null) Files.createDirectories(o.out().getParent());
    Files.writeString(o.out(), table);
    System.out.println(table);
    System.out.println("(written to " + o.out() + ")");
  }

  /** Each training workload alone in a fresh process per side, so that the high-water mark is its own. */
  private static Map<String, ResultTable.Memory> peakMemory(List<Workload> work, PyTorchProcess torch, Samples s,
      List<String> notes) throws InterruptedException {
    Map<String, ResultTable.Memory> memory = new LinkedHashMap<>();
    for (Workload w : work) {
      if (!w.isTraining()) continue;
      log("peak memory: %s", w.id());
      String[] parts = w.id().split("_"); // train_MODEL_BATCH
      long kiln = -1;
      long pytorch = -1;
      try {
        kiln = ChildProcess.runJson(List.of(javaCommand(), "-XX:ErrorFile=" + CRASH_LOG,
            "-cp", System.getProperty("java.class.path"),
            PeakMemory.class.getName(), parts[1], parts[2], Integer.toString(MEMORY_STEPS)), Map.of())
            .get("peak_rss_kb").getAsLong();
      } catch (IOException e) {
        notes.add("Kiln's peak memory of " + w.id() + " failed: " + e.getMessage());
      }
      Samples.Best best = s.best(Samples.PYTORCH, w.id());
      ThreadSetting setting = ThreadSetting.DEFAULT;
      for (ThreadSetting ts : ThreadSetting.values()) {
        if (best != null && ts.label().equals(best.setting())) setting = ts;
      }
      if (torch.available()) {
        try {
          pytorch = torch.peakRssKb(w.id(), MEMORY_STEPS, setting);
        } catch (IOException e) {
          notes.add("PyTorch's peak memory of " + w.id() + " failed: " + e.getMessage());
        }
      }
      memory.put(w.id(), new ResultTable.Memory(kiln, pytorch, setting.label()));
    }
    return memory;
  }

  /**
   * One round of PyTorch in a forked JVM. A JVM that dies (the first load of libtorch, which JavaCPP unpacks into its
   * cache, has crashed once here) is started once more before the round is given up with a note.
   */
  private static void inJvmRound(Samples s, ThreadSetting setting, List<String> ids, Timing t, List<String> notes)
      throws InterruptedException {
    for (int attempt = 1; attempt <= 2; attempt++) {
      try {
        JsonObject json = forkJmh(setting, ids, t);
        s.addAll(Samples.BYTEDECO + setting.label(), ChildProcess.results(json));
        json.getAsJsonObject("errors").entrySet().forEach(e -> notes.add("PyTorch in the JVM, " + e.getKey() + " under "
            + setting.label() + ": " + e.getValue().getAsString()));
        return;
      } catch (IOException e) {
        if (attempt == 2) notes.add("PyTorch in the JVM under " + setting.label() + " failed: " + e.getMessage());
      }
    }
  }

  private static JsonObject forkJmh(ThreadSetting setting, List<String> ids, Timing t)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(javaCommand(), "-XX:ErrorFile=" + CRASH_LOG,
        "-Dkiln.bench.torchThreads=" + setting.threads(),
        "-cp", System.getProperty("java.class.path"), JmhWorker.class.getName(), BYTEDECO_JMH,
        Integer.toString(t.warmup()), Integer.toString(t.iters()),
        Integer.toString(t.iterMs())));
    cmd.addAll(ids);
    return ChildProcess.runJson(cmd, setting.env());
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString());
  }

  private static List<String> header(RunOptions o, PyTorchProcess torch) {
    Timing t = o.timing();
    String when = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    return List.of("# Kiln against PyTorch, " + when, "",
        "Machine: " + Machine.describe() + ". Kiln's OpenBLAS kernels: " + Kiln.blasCore() + ". PyTorch: " + (torch.available() ? torch.version()
            + " (Debian's python3-torch; " + torch.defaultThreads() + " thread(s) by default; BLAS: "
            + String.join(", ", torch.blas()) + ")" : "not run") + ".",
        "",
        String.format("Mode: %s: %d round(s); in each, every workload in Kiln and at once in PyTorch 1.13 under each thread "
            + "setting (then PyTorch 2.7.1 in the JVM); per workload and side, %d warm-up and %d "
            + "measured iterations of %d ms each. Command: `%s` "
            + "(--quick, --only=REGEX, --suite=kernels, --out=FILE, --rounds=N, --python=PATH).",
            o.quick() ? "quick (a smoke run, figures indicative only)" : "full", t.rounds(), t.warmup(), t.iters(),
            t.iterMs(), COMMAND) + (o.kernels() ? " Suite: kernels." : ""));
  }

  private static List<String> notes(PyTorchProcess torch, boolean inJvm, boolean kernels, List<String> failures) {
    List<String> n = new ArrayList<>();
    n.add("A figure is the median over every measured iteration of every round; [n%] is its spread, "
        + "(slowest - fastest) / median.");
    n.add("Kiln / PyTorch is Kiln's speed over PyTorch's (the ratio of median times per call): above 1, Kiln is "
        + "faster. "
        + "PyTorch's figure is its best over its thread settings (default; OMP_WAIT_POLICY=PASSIVE; "
        + "OPENBLAS_NUM_THREADS=1; the last two, and the default once more where PyTorch starts with fewer threads "
        + "than cores, with torch.set_num_threads(cores)), each its own process; \"its setting\" names the winner. "
        + "Every peer runs without OPENBLAS_CORETYPE, so its OpenBLAS picks the kernels for this CPU, as Kiln's does.");
    if (torch.note() != null) n.add(torch.note() + ".");
    if (torch.onReferenceBlas()) {
      n.add("**PyTorch 1.13 ran on Debian's reference BLAS** (libblas3; libopenblas0 is not installed on this "
          + "machine), so its matrix products (gemm, conv, Linear, MLP, LSTM) are far slower than PyTorch with "
          + "OpenBLAS (BASELINES.md: sgemm 1024 at 169 GFLOP/s). For the comparison that matters, run on a machine "
          + "with `apt-get install libopenblas0-pthread`.");
    }
    if (kernels) {
      n.addAll(failures);
      return n;
    }
    n.add(inJvm ? "PyTorch 2.7.1 in the JVM: org.bytedeco:pytorch in a forked JVM, JMH as for Kiln, best over the "
        + "same thread settings (the winner in brackets)."
        : "PyTorch 2.7.1 in the JVM: not built (add -Pbytedeco-pytorch to the command).");
    n.add("OpenBLAS direct: cblas_sgemm / cblas_dgemm into a preallocated output, in Kiln's JVM, on OpenBLAS's own "
        + "threads (its default, one per core; Kiln runs it single-threaded inside its own pool); \"Kiln at n%\" is "
        + "Kiln's speed as a share of it.");
    n.add("Training steps use the main job's Models.mlp() and Models.cnn() and a fixed random batch (no data "
        + "loading); peak memory is VmHWM after " + MEMORY_STEPS + " steps in a fresh process (the JVM at its "
        + "default heap settings).");
    n.addAll(failures);
    return n;
  }

  private static void log(String format, Object... args) {
    System.err.println(String.format(format, args));
  }
}
