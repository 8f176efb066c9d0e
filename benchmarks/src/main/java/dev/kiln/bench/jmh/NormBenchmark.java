package dev.kiln.bench.jmh;

import static dev.kiln.bench.jmh.Leaves.leaf;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.nn.TransformerLayerOptions;
import dev.kiln.nn.functional.Attention;
import dev.kiln.nn.functional.Dropouts;
import dev.kiln.nn.functional.Normalization;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Normalization in training: batch norm of [64, 32, 28, 28] and [256, 512], layer norm of [64, 128, 768] over 768,
 * group norm of [32, 64, 28, 28] in 8 groups, dropout, and scaled dot-product attention of [8, 8, 256, 64] (Kiln's
 * composite against PyTorch 1.13's math path), and a Transformer encoder layer (d_model 256, 8 heads, feed-forward
 * 1024, no dropout, batch 32 x 128 tokens); forward alone or forward + backward through autograd (weights and
 * biases included). Kernel suite (formerly NormBench).
 */
@State(Scope.Thread)
public class NormBenchmark {
  @Param({"bn2d_fwd", "bn2d_fwd_bwd", "bn1d_fwd_bwd", "ln_fwd", "ln_fwd_bwd", "gn_fwd_bwd", "dropout_fwd", "sdpa_fwd",
      "sdpa_fwd_bwd", "encoder_fwd_bwd"})
  public String workload;

  private Runnable call;

  @Setup
  public void setup() {
    Generator g = new Generator(0);
    String kind = workload.substring(0, workload.indexOf('_'));
    Supplier<Tensor> forward;
    Tensor seed;
    Tensor[] leaves;
    switch (kind) {
      case "bn2d", "dropout" -> {
        Tensor x = leaf(g, 64, 32, 28, 28);
        Tensor w = Tensor.ones(32).requiresGrad(true);
        Tensor b = Tensor.zeros(32).requiresGrad(true);
        Tensor rm = Tensor.zeros(32);
        Tensor rv = Tensor.ones(32);
        forward = kind.equals("bn2d") ? () -> Normalization.batchNorm(x, rm, rv, w, b, true, 0.1, 1e-5)
            : () -> Dropouts.dropout(x, 0.5, true, false, g);
        seed = Tensor.randn(g, DType.FLOAT32, 64, 32, 28, 28);
        leaves = new Tensor[] {x, w, b};
      }
      case "bn1d" -> {
        Tensor x = leaf(g, 256, 512);
        Tensor w = Tensor.ones(512).requiresGrad(true);
        Tensor b = Tensor.zeros(512).requiresGrad(true);
        Tensor rm = Tensor.zeros(512);
        Tensor rv = Tensor.ones(512);
        forward = () -> Normalization.batchNorm(x, rm, rv, w, b, true, 0.1, 1e-5);
        seed = Tensor.randn(g, DType.FLOAT32, 256, 512);
        leaves = new Tensor[] {x, w, b};
      }
      case "ln" -> {
        Tensor h = leaf(g, 64, 128, 768);
        Tensor w = Tensor.ones(768).requiresGrad(true);
        Tensor b = Tensor.zeros(768).requiresGrad(true);
        forward = () -> Normalization.layerNorm(h, new long[] {768}, w, b, 1e-5);
        seed = Tensor.randn(g, DType.FLOAT32, 64, 128, 768);
        leaves = new Tensor[] {h, w, b};
      }
      case "gn" -> {
        Tensor x = leaf(g, 32, 64, 28, 28);
        Tensor w = Tensor.ones(64).requiresGrad(true);
        Tensor b = Tensor.zeros(64).requiresGrad(true);
        forward = () -> Normalization.groupNorm(x, 8, w, b, 1e-5);
        seed = Tensor.randn(g, DType.FLOAT32, 32, 64, 28, 28);
        leaves = new Tensor[] {x, w, b};
      }
      case "sdpa" -> {
        Tensor q = leaf(g, 8, 8, 256, 64);
        Tensor k = leaf(g, 8, 8, 256, 64);
        Tensor v = leaf(g, 8, 8, 256, 64);
        forward = () -> Attention.scaledDotProductAttention(q, k, v);
        seed = Tensor.randn(g, DType.FLOAT32, 8, 8, 256, 64);
        leaves = new Tensor[] {q, k, v};
      }
      case "encoder" -> {  // a whole post-norm layer: attention, feed-forward, layer norms, no dropout
        TransformerEncoderLayer layer = new TransformerEncoderLayer(256, 8,
            new TransformerLayerOptions().dimFeedforward(1024).dropout(0.0).batchFirst(true));
        Tensor x = leaf(g, 32, 128, 256);
        forward = () -> layer.forward(x);
        seed = Tensor.randn(g, DType.FLOAT32, 32, 128, 256);
        List<Tensor> all = new ArrayList<>(layer.parameters());
        all.add(x);
        leaves = all.toArray(Tensor[]::new);
      }
      default -> throw new IllegalArgumentException("unknown workload " + workload);
    }
    call = workload.endsWith("_fwd_bwd") ? () -> {
      for (Tensor t : leaves) t.setGrad(null);
      forward.get().backward(seed);
    } : () -> {
      try (ModeScope m = Autograd.noGrad()) {
        forward.get();
      }
    };
  }

  @Benchmark
  public void run() {
    try (TensorScope s = TensorScope.open()) {
      call.run();
    }
  }
}
