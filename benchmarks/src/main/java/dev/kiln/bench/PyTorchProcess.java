package dev.kiln.bench;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's side from Python: benchmarks/pytorch/run.py under Debian's python3 (where python3-torch installs),
 * one process per thread setting and round. When PyTorch cannot be imported, available() is false and note()
 * says why, and the runner goes on with Kiln's figures alone.
 */
public final class PyTorchProcess {
  public static final String DEBIAN_PYTHON = "/usr/bin/python3";

  private final String python;
  private final Path script;
  private final String version;
  private final int defaultThreads;
  private final List<String> blas = new ArrayList<>();
  private final String note;

  public PyTorchProcess(String python, Path script) {
    this.python = python;
    this.script = script;
    String v = null;
    int threads = 0;
    String why;
    if (!Files.exists(script)) {
      why = "PyTorch not run: " + script + " not found (run from the repository root)";
    } else {
      try {
        JsonObject probe = ChildProcess.runJson(List.of(python, script.toString(), "--version"), Map.of());
        v = probe.get("torch").getAsString();
        threads = probe.get("threads").getAsInt();
        probe.getAsJsonArray("blas").forEach(e -> blas.add(e.getAsString()));
        why = null;
      } catch (IOException | InterruptedException | RuntimeException e) {
        why = "PyTorch not run: " + python + " cannot import torch (apt-get install python3-torch)";
      }
    }
    this.version = v;
    this.defaultThreads = threads;
    this.note = why;
  }

  /** The script from the repository root, or from benchmarks/ when run there. */
  public static Path defaultScript() {
    Path p = Path.of("benchmarks/pytorch/run.py");
    return Files.exists(p) ? p : Path.of("pytorch/run.py");
  }

  public boolean available() {
    return version != null;
  }

  public String version() {
    return version;
  }

  /** PyTorch's own thread count (torch.get_num_threads() at start). */
  public int defaultThreads() {
    return defaultThreads;
  }

  /** The BLAS and LAPACK libraries PyTorch loaded. */
  public List<String> blas() {
    return blas;
  }

  /**
   * True when Debian's reference BLAS (libblas3, what the alternatives give without libopenblas0) serves PyTorch:
   * its matrix products then run 20 to 50 times slower than with OpenBLAS, and the comparison is not the one meant.
   */
  public boolean onReferenceBlas() {
    return blas.stream().anyMatch(l -> l.contains("/blas/libblas.so"));
  }

  /** Why PyTorch's columns are empty, or null when it runs. */
  public String note() {
    return note;
  }

  /** One round of the workloads under a thread setting: ns per call of each measured iteration, by id. */
  public JsonObject run(ThreadSetting setting, List<String> ids, Timing t) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--workloads", String.join(",", ids),
        "--warmup", Integer.toString(t.warmup()), "--iters", Integer.toString(t.iters()),
        "--iter-ms", Integer.toString(t.iterMs()), "--threads", Integer.toString(setting.threads())));
    return ChildProcess.runJson(cmd, setting.env());
  }

  /** Peak resident memory (kB) of a training workload run alone for the given steps. */
  public long peakRssKb(String id, int steps, ThreadSetting setting) throws IOException, InterruptedException {
    List<String> cmd = List.of(python, script.toString(), "--peak-rss", id, "--steps", Integer.toString(steps),
        "--threads", Integer.toString(setting.threads()));
    return ChildProcess.runJson(cmd, setting.env()).get("peak_rss_kb").getAsLong();
  }
}
