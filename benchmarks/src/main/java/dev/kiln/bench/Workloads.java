package dev.kiln.bench;

import dev.kiln.bench.Workload.JmhCall;
import dev.kiln.bench.jmh.ElementwiseBenchmark;
import dev.kiln.bench.jmh.LstmBenchmark;
import dev.kiln.bench.jmh.RowReductionBenchmark;
import dev.kiln.bench.jmh.TinyOpsBenchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Every workload of the table, in its order (issue 7's list); targets are those of the performance work. */
public final class Workloads {
  private static final String RATIO_TARGET = "≥ 1.5x PyTorch";

  private Workloads() {}

  public static List<Workload> all() {
    List<Workload> w = new ArrayList<>();
    int tiny = TinyOpsBenchmark.OPS;
    w.add(new Workload("tiny_add", "a + b, 1-element tensors, no autograd", Unit.MICROS_PER_OP, tiny,
        call("TinyOpsBenchmark.addNoGrad"), null, null, "≤ 0.4 µs"));
    w.add(new Workload("tiny_add_recorded", "a + b, 1-element tensors, recording a node", Unit.MICROS_PER_OP, tiny,
        call("TinyOpsBenchmark.addRecorded"), null, null, "≤ 0.8 µs"));
    w.add(new Workload("chain_1000", "1,000-op chain, forward + backward (per op)", Unit.MICROS_PER_OP, tiny,
        call("TinyOpsBenchmark.chainForwardBackward"), null, null, ""));
    for (String dtype : List.of("float32", "float64")) {
      for (int n : new int[] {64, 256, 1024, 2048}) {
        Map<String, String> p = Map.of("n", Integer.toString(n), "dtype", dtype);
        String name = dtype.equals("float32") ? "sgemm" : "dgemm";
        w.add(new Workload(name + "_" + n, String.format(Locale.ROOT, "%s %d (square mm into a new tensor)", name, n),
            Unit.GFLOPS, 2.0 * n * n * n, new JmhCall("GemmBenchmark.mm", p), new JmhCall("OpenBlasGemmBenchmark.gemm", p),
            null, n >= 1024 ? "≥ 95% of OpenBLAS direct" : ""));
      }
    }
    double n16 = ElementwiseBenchmark.N;
    for (String op : List.of("add", "mul", "exp", "gelu")) {
      boolean binary = op.equals("add") || op.equals("mul");
      // Bytes moved at the least: each input read once, the output written once.
      w.add(new Workload(op + "_16m", op + ", 16M float32 into a new tensor", Unit.GBPS, (binary ? 12 : 8) * n16,
          new JmhCall("ElementwiseBenchmark.run", Map.of("op", op)), null, null, "≥ 3x PyTorch, ≥ 30 GB/s"));
    }
    double cells = (double) RowReductionBenchmark.ROWS * RowReductionBenchmark.ROWS;
    for (String op : List.of("sum", "softmax", "log_softmax")) {
      w.add(new Workload(op + "_rows", op + " over rows of 4096x4096 float32", Unit.GBPS,
          (op.equals("sum") ? 4 : 8) * cells, new JmhCall("RowReductionBenchmark.run", Map.of("op", op)), null, null,
          RATIO_TARGET));
    }
    String[][] convs = {{"mnist_conv1", "CNN conv1 (64x1x28x28, 1->32)"}, {"mnist_conv2", "CNN conv2 (64x32x14x14, 32->64)"},
        {"resnet_block", "ResNet-18 block conv (32x64x56x56, 64->64)"}};
    for (String[] c : convs) {
      w.add(new Workload("conv_" + c[0] + "_fwd", "conv2d 3x3 forward, " + c[1], Unit.MILLIS, 1,
          new JmhCall("ConvBenchmark.forward", Map.of("shape", c[0])), null, null, ""));
      w.add(new Workload("conv_" + c[0] + "_fwd_bwd", "conv2d 3x3 forward + backward, " + c[1], Unit.MILLIS, 1,
          new JmhCall("ConvBenchmark.forwardBackward", Map.of("shape", c[0])), null, null, ""));
    }
    w.add(new Workload("linear_fwd_bwd", "Linear 784->256, batch 64, forward + backward", Unit.MILLIS, 1,
        call("LinearBenchmark.forwardBackward"), null, null, ""));
    for (String model : List.of("mlp", "cnn")) {
      for (int batch : new int[] {64, 256}) {
        String target = batch != 64 ? "" : model.equals("mlp") ? "≥ 1.5x PyTorch's best" : "≥ 1.2x PyTorch's best";
        w.add(new Workload("train_" + model + "_" + batch,
            String.format(Locale.ROOT, "%s training step (Adam, cross-entropy), batch %d", model.toUpperCase(Locale.ROOT),
                batch),
            Unit.SAMPLES_PER_S, batch, new JmhCall("TrainingBenchmark.step", Map.of("model", model, "batch",
                Integer.toString(batch))), null, null, target));
      }
    }
    w.add(new Workload("lstm_fwd_bwd", String.format(Locale.ROOT, "LSTM %d->%d, seq %d, batch %d, forward + backward",
        LstmBenchmark.Shape.INPUT, LstmBenchmark.Shape.HIDDEN, LstmBenchmark.Shape.SEQ, LstmBenchmark.Shape.BATCH), Unit.MILLIS, 1,
        call("LstmBenchmark.forwardBackward"), null, null, ""));
    return w;
  }

  private static JmhCall call(String benchmark) {
    return new JmhCall(benchmark, Map.of());
  }
}
