package dev.kiln.bench;

import com.google.gson.Gson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A forked JVM that runs one side's JMH benchmarks and prints {"results": {id: [ns, ...]}, "errors": {...}}:
 * PyTorch in the JVM (dev.kiln.bench.bytedeco) runs here, apart from Kiln's JVM, so that its OpenMP threads and
 * the runner's thread settings touch only it. Arguments: PACKAGE WARMUP ITERS ITER_MS ID...
 */
public final class JmhWorker {
  private JmhWorker() {}

  public static void main(String[] args) {
    Timing t = new Timing(1, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    List<String> ids = List.of(args).subList(4, args.length);
    Map<String, List<Double>> results = new LinkedHashMap<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (Workload w : Stream.concat(Workloads.all().stream(), Workloads.kernels().stream()).toList()) {
      if (!ids.contains(w.id()) || w.bytedeco() == null) continue;
      try {
        results.put(w.id(), JmhSession.run(args[0], w.bytedeco(), t));
      } catch (Exception e) {
        errors.put(w.id(), rootCause(e).toString());
      }
    }
    System.out.println(new Gson().toJson(Map.of("results", results, "errors", errors)));
  }

  /** The first exception behind JMH's wrappers (which hold the benchmark's own as a cause or as suppressed). */
  static Throwable rootCause(Throwable e) {
    while (true) {
      if (e.getCause() != null) e = e.getCause();
      else if (e.getSuppressed().length > 0) e = e.getSuppressed()[0];
      else return e;
    }
  }
}
