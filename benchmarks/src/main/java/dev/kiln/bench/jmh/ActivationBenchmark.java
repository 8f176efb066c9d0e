package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.nn.functional.Activations;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * gelu, silu and softplus on 16M float32 values: the forward, and the fused backward op alone (grad * f'(x), called
 * through the op table as PyTorch's aten.*_backward is). Kernel suite (formerly ActivationsBench).
 */
@State(Scope.Thread)
public class ActivationBenchmark {
  private static final int N = 16 * 1024 * 1024;

  @Param({"gelu", "silu", "softplus"})
  public String fn;

  private Tensor x;
  private Tensor grad;

  @Setup
  public void setup() {
    try (Generator g = new Generator(0)) {
      x = Tensor.randn(g, DType.FLOAT32, N).mul(3);
      grad = Tensor.randn(g, DType.FLOAT32, N);
    }
  }

  @Benchmark
  public void forward() {
    try (TensorScope s = TensorScope.open()) {
      switch (fn) {
        case "gelu" -> Activations.gelu(x);
        case "silu" -> Activations.silu(x);
        case "softplus" -> Activations.softplus(x);
        default -> throw new IllegalArgumentException("unknown activation " + fn);
      }
    }
  }

  @Benchmark
  public void backward() {
    long[] ints = fn.equals("gelu") ? new long[] {0} : new long[0]; // gelu: approximate "none"
    double[] reals = fn.equals("softplus") ? new double[] {1.0, 20.0} : new double[0]; // beta, threshold
    try (TensorScope s = TensorScope.open()) {
      Tensor.adopt(Core.call(Core.op(fn + "_backward"), Frame.of(new long[] {grad.handle(), x.handle()}, ints, reals)));
    }
  }
}
