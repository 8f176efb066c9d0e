package dev.kiln.bench;

import dev.kiln.bench.Workload.JmhCall;
import dev.kiln.bench.jmh.ElementwiseBenchmark;
import dev.kiln.bench.jmh.RecurrentBenchmark;
import dev.kiln.bench.jmh.RowReductionBenchmark;
import dev.kiln.bench.jmh.TinyOpsBenchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The workloads of the tables, in order: all() is issue 7's list (the default run; targets are those of the
 * performance work), kernels() the per-family op suite (--suite=kernels) that replaced the separate family benches.
 */
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
            Unit.GFLOPS, 2.0 * n * n * n, new JmhCall("GemmBenchmark.mm", p),
            new JmhCall("OpenBlasGemmBenchmark.gemm", p), null, n >= 1024 ? "≥ 95% of OpenBLAS direct" : ""));
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
    String[][] convs = {{"mnist_conv1", "CNN conv1 (64x1x28x28, 1->32)"},
        {"mnist_conv2", "CNN conv2 (64x32x14x14, 32->64)"},
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
            String.format(Locale.ROOT, "%s training step (Adam, cross-entropy), batch %d",
                model.toUpperCase(Locale.ROOT), batch),
            Unit.SAMPLES_PER_S, batch, new JmhCall("TrainingBenchmark.step", Map.of("model", model, "batch",
                Integer.toString(batch))), null, null, target));
      }
    }
    for (String cell : List.of("lstm", "gru")) {
      w.add(new Workload(cell + "_fwd_bwd", String.format(Locale.ROOT, "%s %d->%d, seq %d, batch %d, forward + backward",
          cell.toUpperCase(Locale.ROOT), RecurrentBenchmark.Shape.INPUT, RecurrentBenchmark.Shape.HIDDEN,
          RecurrentBenchmark.Shape.SEQ, RecurrentBenchmark.Shape.BATCH),
          Unit.MILLIS, 1, new JmhCall("RecurrentBenchmark.forwardBackward", Map.of("cell", cell)), null, null, ""));
    }
    return w;
  }

  /** Per-family kernels, ms per call; PyTorch's side is benchmarks/pytorch/kernels.py. */
  public static List<Workload> kernels() {
    List<Workload> w = new ArrayList<>();
    String na = "kernel suite, compared with Python's PyTorch only";
    for (String op : List.of("exp", "log", "log1p", "expm1", "sin", "cos", "tan", "erf", "tanh", "sigmoid", "atan",
        "log10", "exp2", "asinh", "atanh", "clamp", "maximum", "to_float16", "float16_add", "bfloat16_exp",
        "bfloat16_mul")) {
      String what = switch (op) {
        case "to_float16" -> "16M float32 to a new float16 tensor";
        case "float16_add" -> "16M float16 into a new tensor";
        case "bfloat16_exp" -> "16M bfloat16 into a new tensor";
        case "bfloat16_mul" -> "16M bfloat16 times a scalar into a new tensor";
        default -> "16M float32 into a new tensor";
      };
      w.add(new Workload("pointwise_" + op, op + ", " + what, Unit.MILLIS, 1,
          new JmhCall("PointwiseBenchmark.run", Map.of("op", op)), null, na, ""));
    }
    for (String fn : List.of("gelu", "silu", "softplus")) {
      w.add(new Workload("act_" + fn + "_fwd", fn + " forward, 16M float32", Unit.MILLIS, 1,
          new JmhCall("ActivationBenchmark.forward", Map.of("fn", fn)), null, na, ""));
      w.add(new Workload("act_" + fn + "_bwd", fn + " backward op alone, 16M float32", Unit.MILLIS, 1,
          new JmhCall("ActivationBenchmark.backward", Map.of("fn", fn)), null, na, ""));
    }
    for (String shape : List.of("64x10", "256x1000", "1024x50257")) {
      w.add(new Workload("ce_" + shape + "_fwd", "cross_entropy " + shape + " forward", Unit.MILLIS, 1,
          new JmhCall("CrossEntropyBenchmark.forward", Map.of("shape", shape)), null, na, ""));
      w.add(new Workload("ce_" + shape + "_fwd_bwd", "cross_entropy " + shape + " forward + backward", Unit.MILLIS, 1,
          new JmhCall("CrossEntropyBenchmark.forwardBackward", Map.of("shape", shape)), null, na, ""));
    }
    String[][] norms = {{"bn2d_fwd", "batch_norm [64,32,28,28] forward"}, {"bn2d_fwd_bwd", "batch_norm [64,32,28,28] "
        + "forward + backward"}, {"bn1d_fwd_bwd", "batch_norm [256,512] forward + backward"},
        {"ln_fwd", "layer_norm [64,128,768] forward"}, {"ln_fwd_bwd", "layer_norm [64,128,768] forward + backward"},
        {"gn_fwd_bwd", "group_norm [32,64,28,28], 8 groups, forward + backward"},
        {"dropout_fwd", "dropout p 0.5 [64,32,28,28]"}, {"sdpa_fwd", "attention [8,8,256,64] forward"},
        {"sdpa_fwd_bwd", "attention [8,8,256,64] forward + backward"},
        {"encoder_fwd_bwd", "Transformer encoder layer (256, 8 heads, ff 1024) [32,128,256] forward + backward"}};
    for (String[] n : norms) {
      w.add(new Workload("norm_" + n[0], n[1], Unit.MILLIS, 1,
          new JmhCall("NormBenchmark.run", Map.of("workload", n[0])), null, na, ""));
    }
    String[][] grads = {{"sigmoid", "sigmoid [4096,1024]"}, {"tanh", "tanh [4096,1024]"},
        {"nchw_to_nhwc", "permute [32,64,56,56] to NHWC, contiguous"},
        {"scatter_add", "scatter_add of [1024,4096] into [256,4096] over dim 0"},
        {"gather", "gather [4096,1024] over dim 1, 256 per row"},
        {"index_select", "index_select of 16384 rows of [100000,128]"}, {"index_rows", "x[i], 32768 rows of [100000,64]"},
        {"reflect_pad", "reflect pad 1 of [32,64,56,56]"}, {"norm_rows", "2-norm over rows of [4096,1024]"},
        {"max_rows", "max over rows of [4096,1024]"}, {"depthwise3x3", "depthwise conv 3x3 [32,64,56,56]"},
        {"conv3x3_s2", "conv2d 3x3 stride 2 [32,64,56,56] -> 128"},
        {"conv3d", "conv3d 3x3x3 [8,16,16,32,32] -> 32"}, {"conv1d", "conv1d k3 [32,128,1024] -> 128"},
        {"conv5x5", "conv2d 5x5 [32,32,28,28] -> 64"}, {"bilinear2x", "bilinear upsampling [32,64,28,28] to 56x56"}};
    for (String[] t : grads) {
      w.add(new Workload("grad_" + t[0], t[1] + ", forward + backward", Unit.MILLIS, 1,
          new JmhCall("TrainingOpsBenchmark.run", Map.of("op", t[0])), null, na, ""));
    }
    String[][] ops = {{"logical_and", "logical_and of two [4096,4096] masks"},
        {"unique", "unique of 4M int64 in [0, 100)"}, {"prod_rows", "prod over rows of [4096,1024]"},
        {"mode_rows", "mode over rows of [4096,1024] int64 in [0, 100)"}, {"fmod", "fmod of [4096,4096] by 0.7"},
        {"atan2", "atan2 of two [4096,4096]"},
        {"embedding_bag", "embedding_bag mean, 4096 bags of 16 rows of [100000,64]"},
        {"multinomial", "multinomial, 1 draw from each of 1024 rows of 1000"}, {"randperm", "randperm(2^20)"},
        {"max_unpool2d", "max_unpool2d of [32,64,28,28] to 56x56"},
        {"constant_pad", "constant pad 1 of [32,64,56,56]"}, {"exp_transposed", "exp of a transposed [4096,4096]"},
        {"add_transposed", "a transposed [4096,4096] plus a [4096,4096]"}, {"dot", "dot of two 16M float32"},
        {"clamp_tensor", "clamp of [4096,4096] between [4096] rows"},
        {"scatter_reduce_amax", "scatter_reduce amax along the rows of [4096,1024]"},
        {"index_put", "index_put of 65536 rows of 64 into [4096,64]"},
        {"adaptive_avg_1x1", "adaptive_avg_pool2d of [32,512,14,14] to 1x1"},
        {"nll_loss", "nll_loss of [65536,100] log-probabilities"}, {"nansum_rows", "nansum over rows of [4096,4096]"},
        {"nonzero", "nonzero of a [4096,1024] mask"}};
    for (String[] o : ops) {
      w.add(new Workload("op_" + o[0], o[1] + ", forward", Unit.MILLIS, 1,
          new JmhCall("OpsBenchmark.run", Map.of("op", o[0])), null, na, ""));
    }
    return w;
  }

  private static JmhCall call(String benchmark) {
    return new JmhCall(benchmark, Map.of());
  }
}
