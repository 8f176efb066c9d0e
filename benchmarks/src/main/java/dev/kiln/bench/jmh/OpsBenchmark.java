package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.ValuesAndIndices;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Embeddings;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Pooling;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ops outside training's hot path that scans against PyTorch found slow (benchmarks/NOTES.md, sessions 32 and 33),
 * each a forward call without autograd: logic on masks, unique, products and modes over rows, float32 fmod and
 * atan2, embedding_bag, multinomial, randperm, max_unpool2d, constant padding, elementwise ops on transposed inputs,
 * a long dot product, clamp with tensor bounds, scatter_reduce, index_put, global average pooling, nll_loss, nansum
 * over rows and nonzero. Kernel suite; benchmarks/pytorch/kernels.py builds the same calls.
 */
@State(Scope.Thread)
public class OpsBenchmark {
  @Param({"logical_and", "unique", "prod_rows", "mode_rows", "fmod", "atan2", "embedding_bag", "multinomial",
      "randperm", "max_unpool2d", "constant_pad", "exp_transposed", "add_transposed", "dot", "clamp_tensor",
      "scatter_reduce_amax", "index_put", "adaptive_avg_1x1", "nll_loss", "nansum_rows", "nonzero"})
  public String op;

  private Supplier<Tensor> call;

  @Setup
  public void setup() {
    Generator g = new Generator(0);
    Tensor a = Tensor.randn(g, 4096, 4096);
    Tensor b = Tensor.randn(g, 4096, 4096);
    call = switch (op) {
      case "logical_and" -> {
        Tensor mask = a.gt(0.0);
        Tensor other = b.gt(0.0);
        yield () -> mask.logicalAnd(other);
      }
      case "unique" -> {
        Tensor x = Tensor.randint(g, 0, 100, 1 << 22);
        yield x::unique;
      }
      case "prod_rows" -> {
        Tensor x = Tensor.randn(g, 4096, 1024);
        yield () -> x.prod(1);
      }
      case "mode_rows" -> {
        Tensor x = Tensor.randint(g, 0, 100, 4096, 1024);
        yield () -> x.mode(1).values();
      }
      case "fmod" -> () -> a.fmod(0.7);
      case "atan2" -> () -> a.atan2(b);
      case "embedding_bag" -> {
        Tensor weight = Tensor.randn(g, 100000, 64);
        Tensor indices = Tensor.randint(g, 0, 100000, 65536);
        Tensor offsets = Tensor.arange(0, 65536, 16);
        yield () -> Embeddings.embeddingBag(indices, weight, offsets, "mean");
      }
      case "multinomial" -> {
        Tensor probs = Tensor.randn(g, 1024, 1000).softmax(1);
        yield () -> probs.multinomial(1, true, g);
      }
      case "randperm" -> () -> Tensor.randperm(g, 1 << 20);
      case "max_unpool2d" -> {
        ValuesAndIndices pooled = Pooling.maxPool2dWithIndices(Tensor.randn(g, 32, 64, 56, 56), 2);
        yield () -> Pooling.maxUnpool2d(pooled.values(), pooled.indices(), 2);
      }
      case "constant_pad" -> {
        Tensor x = Tensor.randn(g, 32, 64, 56, 56);
        yield () -> x.pad(1, 1, 1, 1);
      }
      case "exp_transposed" -> {
        Tensor t = a.t();
        yield t::exp;
      }
      case "add_transposed" -> {
        Tensor t = a.t();
        yield () -> t.add(b);
      }
      case "dot" -> {
        Tensor x = Tensor.randn(g, 1 << 24);
        Tensor y = Tensor.randn(g, 1 << 24);
        yield () -> x.dot(y);
      }
      case "clamp_tensor" -> {
        Tensor lo = Tensor.randn(g, 4096);
        Tensor hi = lo.add(1.0);
        yield () -> a.clamp(lo, hi);
      }
      case "scatter_reduce_amax" -> {
        Tensor x = Tensor.randn(g, 4096, 1024);
        Tensor index = Tensor.randint(g, 0, 1024, 4096, 1024);
        Tensor src = Tensor.randn(g, 4096, 1024);
        yield () -> x.scatterReduce(1, index, src, "amax");
      }
      case "index_put" -> {
        Tensor table = Tensor.randn(g, 4096, 64);
        Tensor rows = Tensor.randint(g, 0, 4096, 65536);
        Tensor values = Tensor.randn(g, 65536, 64);
        yield () -> table.indexPut(new Tensor[] {rows}, values);
      }
      case "adaptive_avg_1x1" -> {
        Tensor x = Tensor.randn(g, 32, 512, 14, 14);
        yield () -> Pooling.adaptiveAvgPool2d(x, 1);
      }
      case "nll_loss" -> {
        Tensor logProbs = Tensor.randn(g, 65536, 100).logSoftmax(1);
        Tensor target = Tensor.randint(g, 0, 100, 65536);
        yield () -> Losses.nllLoss(logProbs, target);
      }
      case "nansum_rows" -> () -> a.nansum(1);
      case "nonzero" -> {
        Tensor mask = Tensor.randn(g, 4096, 1024).gt(0.0);
        yield mask::nonzero;
      }
      default -> throw new IllegalArgumentException("unknown op " + op);
    };
  }

  @Benchmark
  public void run() {
    try (TensorScope s = TensorScope.open(); ModeScope m = Autograd.noGrad()) {
      call.get();
    }
  }
}
