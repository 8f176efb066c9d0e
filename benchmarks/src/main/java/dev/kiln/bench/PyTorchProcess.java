package dev.kiln.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's side from Python: benchmarks/pytorch/run.py under Debian's python3 (where python3-torch installs),
 * one serving process per thread setting (serve()), asked for one workload at a time. When PyTorch cannot be imported, available() is false and note()
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

  /** A process under a thread setting that runs workloads on request (run.py --serve). */
  public Server serve(ThreadSetting setting) throws IOException {
    return new Server(List.of(python, script.toString(), "--serve", "--threads", Integer.toString(setting.threads())),
        setting.env());
  }

  /**
   * One run.py --serve process: each request is a line on its stdin, each answer the JSON line it prints. The
   * runner asks it for each workload right after Kiln's run of the same workload, so that both meet the machine in
   * the same state (here the two vCPUs' scaling swings between 1.15x and 1.85x from one minute to the next).
   */
  public static final class Server implements AutoCloseable {
    private final Process process;
    private final Writer requests;
    private final BufferedReader answers;
    private final StringBuilder log = new StringBuilder();

    Server(List<String> command, Map<String, String> env) throws IOException {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().remove("OPENBLAS_CORETYPE"); // as ChildProcess.runJson says
      pb.environment().putAll(env);
      process = pb.start();
      requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** ns per call of each measured iteration of the workloads, by id. */
    public JsonObject run(List<String> ids, Timing t) throws IOException {
      JsonObject request = new JsonObject();
      request.addProperty("workloads", String.join(",", ids));
      request.addProperty("warmup", t.warmup());
      request.addProperty("iters", t.iters());
      request.addProperty("iter_ms", t.iterMs());
      requests.write(request + "\n");
      requests.flush();
      for (String line; (line = answers.readLine()) != null; ) {
        if (line.startsWith("{")) return JsonParser.parseString(line).getAsJsonObject();
        log.append(line).append('\n'); // warnings and tracebacks: kept for the error message
      }
      throw new IOException("the PyTorch process ended: " + log.toString().strip());
    }

    public boolean alive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      try {
        requests.close();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (IOException | InterruptedException e) {
        process.destroyForcibly();
      }
    }
  }

  /** Peak resident memory (kB) of a training workload run alone for the given steps. */
  public long peakRssKb(String id, int steps, ThreadSetting setting) throws IOException, InterruptedException {
    List<String> cmd = List.of(python, script.toString(), "--peak-rss", id, "--steps", Integer.toString(steps),
        "--threads", Integer.toString(setting.threads()));
    return ChildProcess.runJson(cmd, setting.env()).get("peak_rss_kb").getAsLong();
  }
}
