package dev.kiln.bench.bytedeco;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** dev.kiln.bench.jmh.TinyOpsBenchmark in PyTorch 2.7.1 from Java; a PointerScope frees each call's tensors. */
@State(Scope.Thread)
public class TinyOpsBenchmark {
  private static final int OPS = dev.kiln.bench.jmh.TinyOpsBenchmark.OPS;

  private Tensor a;
  private Tensor b;
  private Tensor x;
  private Scalar one;
  private Scalar factor;

  @Setup
  public void setup() {
    Torch.init();
    a = torch.ones(1);
    b = torch.ones(1);
    x = torch.ones(1).set_requires_grad(true);
    one = new Scalar(1.0);
    factor = new Scalar(1.0001);
  }

  @Benchmark
  public void addNoGrad() {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (int i = 0; i < OPS; i++) a.add(b);
    }
  }

  @Benchmark
  public void addRecorded() {
    try (PointerScope s = new PointerScope()) {
      for (int i = 0; i < OPS; i++) x.add(b);
    }
  }

  @Benchmark
  public void chainForwardBackward() {
    try (PointerScope s = new PointerScope()) {
      Tensor y = x;
      for (int i = 0; i < OPS; i++) y = i % 2 == 1 ? y.mul(factor) : y.add(one);
      y.backward();
      x.mutable_grad().reset();
    }
  }
}
