package dev.kiln.bench.bytedeco;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** dev.kiln.bench.jmh.LinearBenchmark in PyTorch 2.7.1 from Java. */
@State(Scope.Thread)
public class LinearBenchmark {
  private LinearImpl linear;
  private Tensor x;
  private Tensor gy;

  @Setup
  public void setup() {
    Torch.init();
    linear = new LinearImpl(784, 256);
    x = torch.randn(64, 784);
    gy = torch.randn(64, 256);
  }

  @Benchmark
  public void forwardBackward() {
    try (PointerScope s = new PointerScope()) {
      Torch.backward(linear.forward(x), gy);
      linear.zero_grad(true);
    }
  }
}
