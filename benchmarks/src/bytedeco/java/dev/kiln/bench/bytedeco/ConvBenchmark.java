package dev.kiln.bench.bytedeco;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** dev.kiln.bench.jmh.ConvBenchmark in PyTorch 2.7.1 from Java. */
@State(Scope.Thread)
public class ConvBenchmark {
  private static final long[] ONE = {1, 1};

  @Param({"mnist_conv1", "mnist_conv2", "resnet_block"})
  public String shape;

  private Tensor x;
  private Tensor w;
  private Tensor b;
  private Tensor gy;
  private TensorOptional bias;

  @Setup
  public void setup() {
    Torch.init();
    int[] s = switch (shape) { // batch, in channels, out channels, height = width
      case "mnist_conv1" -> new int[] {64, 1, 32, 28};
      case "mnist_conv2" -> new int[] {64, 32, 64, 14};
      case "resnet_block" -> new int[] {32, 64, 64, 56};
      default -> throw new IllegalArgumentException("unknown shape " + shape);
    };
    x = torch.randn(s[0], s[1], s[3], s[3]).set_requires_grad(s[1] > 1);
    w = torch.randn(s[2], s[1], 3, 3).mul(new Scalar(0.1)).set_requires_grad(true);
    b = torch.zeros(s[2]).set_requires_grad(true);
    gy = torch.randn(s[0], s[2], s[3], s[3]);
    bias = new TensorOptional(b);
  }

  private Tensor conv() {
    return torch.conv2d(x, w, bias, ONE, ONE, ONE, 1);
  }

  @Benchmark
  public void forward() {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      conv();
    }
  }

  @Benchmark
  public void forwardBackward() {
    try (PointerScope s = new PointerScope()) {
      Torch.backward(conv(), gy);
      x.mutable_grad().reset();
      w.mutable_grad().reset();
      b.mutable_grad().reset();
    }
  }
}
