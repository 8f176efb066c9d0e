package dev.kiln.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a peer process (PyTorch's script, a forked JVM) under an environment and reads the JSON line it prints. */
final class ChildProcess {
  private ChildProcess() {}

  /**
   * The last line of output that is a JSON object; an IOException carries the output when there is none. The peer
   * runs without OPENBLAS_CORETYPE: where the machine sets it (Haswell on the Zen 5 machines here), it would hold the
   * peers' OpenBLAS to AVX2 kernels, half the speed of the AVX-512 ones that Kiln uses there (Kiln picks OpenBLAS's
   * kernels for the CPU itself); without it every OpenBLAS picks its kernels for the CPU.
   */
  static JsonObject runJson(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("OPENBLAS_CORETYPE");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    int rc = p.waitFor();
    String json = null;
    for (String line : out.lines().toList()) {
      if (line.startsWith("{")) json = line;
    }
    if (rc != 0 || json == null) {
      throw new IOException("exit " + rc + ": " + tail(out));
    }
    return JsonParser.parseString(json).getAsJsonObject();
  }

  /** Times per call by workload id from the "results" object of a peer's JSON. */
  static Map<String, List<Double>> results(JsonObject json) {
    Map<String, List<Double>> r = new LinkedHashMap<>();
    json.getAsJsonObject("results").entrySet().forEach(e -> {
      List<Double> nanos = new ArrayList<>();
      e.getValue().getAsJsonArray().forEach(v -> nanos.add(v.getAsDouble()));
      r.put(e.getKey(), nanos);
    });
    return r;
  }

  private static String tail(String out) {
    String t = out.strip().replaceAll("\\s+", " ");
    return t.length() <= 600 ? t : "..." + t.substring(t.length() - 600);
  }
}
