package dev.kiln.bench;

import dev.kiln.bench.Workload.JmhCall;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs one JMH benchmark in this JVM (no fork: the JIT and the native caches stay warm from round to round, and
 * the round's PyTorch processes run in between) and returns the time per call of each measured iteration, in ns.
 */
public final class JmhSession {
  private JmhSession() {}

  public static List<Double> run(String pkg, JmhCall call, Timing timing) throws RunnerException {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include("^" + Pattern.quote(call.className(pkg) + "." + call.method()) + "$")
        .mode(org.openjdk.jmh.annotations.Mode.AverageTime)
        .timeUnit(TimeUnit.NANOSECONDS)
        .warmupIterations(timing.warmup())
        .warmupTime(TimeValue.milliseconds(timing.iterMs()))
        .measurementIterations(timing.iters())
        .measurementTime(TimeValue.milliseconds(timing.iterMs()))
        .forks(0)
        .threads(1)
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT);
    call.params().forEach(b::param);
    Collection<RunResult> results = new Runner(b.build()).run();
    if (results.isEmpty()) {
      throw new IllegalStateException("JMH ran nothing for " + call.benchmark() + " " + call.params());
    }
    List<Double> nanos = new ArrayList<>();
    for (RunResult r : results) {
      for (BenchmarkResult br : r.getBenchmarkResults()) {
        for (IterationResult ir : br.getIterationResults()) nanos.add(ir.getPrimaryResult().getScore());
      }
    }
    return nanos;
  }
}
