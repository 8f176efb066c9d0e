package dev.kiln.bench.jmh;

import static dev.kiln.bench.jmh.Leaves.leaf;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Index;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.nn.functional.Convolutions;
import dev.kiln.nn.functional.Sampling;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ops of training at training sizes, forward + backward through autograd with a random seed gradient: the ones a
 * scan of 44 such ops found behind PyTorch 1.13 (benchmarks/NOTES.md, session 13) and that were made faster.
 * Kernel suite; PyTorch's side is benchmarks/pytorch/kernels.py.
 */
@State(Scope.Thread)
public class TrainingOpsBenchmark {
  @Param({"sigmoid", "tanh", "nchw_to_nhwc", "scatter_add", "gather", "index_select", "index_rows", "reflect_pad",
      "norm_rows", "max_rows", "depthwise3x3", "conv3x3_s2", "conv3d", "conv1d", "conv5x5", "bilinear2x"})
  public String op;

  private Runnable call;

  @Setup
  public void setup() {
    Generator g = new Generator(0);
    Supplier<Tensor> forward;
    Tensor[] leaves;
    switch (op) {
      case "sigmoid", "tanh", "norm_rows", "max_rows" -> {
        Tensor x = leaf(g, 4096, 1024);
        forward = switch (op) {
          case "sigmoid" -> x::sigmoid;
          case "tanh" -> x::tanh;
          case "norm_rows" -> () -> x.norm(2, 1);
          default -> () -> x.max(1).values();
        };
        leaves = new Tensor[] {x};
      }
      case "nchw_to_nhwc", "reflect_pad", "depthwise3x3", "conv3x3_s2" -> {
        Tensor x = leaf(g, 32, 64, 56, 56);
        switch (op) {
          case "nchw_to_nhwc" -> {
            forward = () -> x.permute(0, 2, 3, 1).contiguous();
            leaves = new Tensor[] {x};
          }
          case "reflect_pad" -> {
            forward = () -> x.pad(new long[] {1, 1, 1, 1}, "reflect");
            leaves = new Tensor[] {x};
          }
          case "depthwise3x3" -> {
            Tensor w = leaf(g, 64, 1, 3, 3);
            forward = () -> Convolutions.conv2d(x, w, null, 1, 1, 1, 64);
            leaves = new Tensor[] {x, w};
          }
          default -> {
            Tensor w = leaf(g, 128, 64, 3, 3);
            forward = () -> Convolutions.conv2d(x, w, null, 2, 1, 1, 1);
            leaves = new Tensor[] {x, w};
          }
        }
      }
      case "scatter_add" -> {
        Tensor x = leaf(g, 256, 4096);
        Tensor src = leaf(g, 1024, 4096);
        Tensor index = Tensor.randint(g, 0, 256, 1024, 4096);
        forward = () -> x.scatterAdd(0, index, src);
        leaves = new Tensor[] {x, src};
      }
      case "gather" -> {
        Tensor x = leaf(g, 4096, 1024);
        Tensor index = Tensor.randint(g, 0, 1024, 4096, 256);
        forward = () -> x.gather(1, index);
        leaves = new Tensor[] {x};
      }
      case "index_select", "index_rows" -> {
        boolean select = op.equals("index_select");
        Tensor x = leaf(g, 100000, select ? 128 : 64);
        Tensor index = Tensor.randint(g, 0, 100000, select ? 16384 : 32768);
        forward = select ? () -> x.indexSelect(0, index) : () -> x.get(Index.of(index));
        leaves = new Tensor[] {x};
      }
      case "conv3d" -> {
        Tensor x = leaf(g, 8, 16, 16, 32, 32);
        Tensor w = leaf(g, 32, 16, 3, 3, 3);
        forward = () -> Convolutions.conv3d(x, w, null, 1, 1, 1, 1);
        leaves = new Tensor[] {x, w};
      }
      case "conv1d" -> {
        Tensor x = leaf(g, 32, 128, 1024);
        Tensor w = leaf(g, 128, 128, 3);
        forward = () -> Convolutions.conv1d(x, w, null, 1, 1, 1, 1);
        leaves = new Tensor[] {x, w};
      }
      case "conv5x5" -> {
        Tensor x = leaf(g, 32, 32, 28, 28);
        Tensor w = leaf(g, 64, 32, 5, 5);
        forward = () -> Convolutions.conv2d(x, w, null, 1, 2, 1, 1);
        leaves = new Tensor[] {x, w};
      }
      case "bilinear2x" -> {
        Tensor x = leaf(g, 32, 64, 28, 28);
        forward = () -> Sampling.interpolate(x, new long[] {56, 56}, "bilinear", false);
        leaves = new Tensor[] {x};
      }
      default -> throw new IllegalArgumentException("unknown op " + op);
    }
    Tensor seed;
    try (TensorScope s = TensorScope.open()) {
      seed = s.keep(Tensor.randn(g, DType.FLOAT32, forward.get().shape()));
    }
    call = () -> {
      for (Tensor t : leaves) t.setGrad(null);
      forward.get().backward(seed);
    };
  }

  @Benchmark
  public void run() {
    try (TensorScope s = TensorScope.open()) {
      call.run();
    }
  }
}
