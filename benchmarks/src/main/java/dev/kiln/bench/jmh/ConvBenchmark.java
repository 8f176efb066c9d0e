package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Convolutions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * 3x3 convolutions, padding 1, at the Fashion-MNIST CNN's shapes (batch 64: 1 -> 32 channels on 28x28, 32 -> 64
 * on 14x14) and a ResNet-18 block's (batch 32, 64 -> 64 channels, 56x56); forward alone (no graph) and forward +
 * backward. The first layer's input needs no gradient, as in training.
 */
@State(Scope.Thread)
public class ConvBenchmark {
  @Param({"mnist_conv1", "mnist_conv2", "resnet_block"})
  public String shape;

  private Tensor x;
  private Tensor w;
  private Tensor b;
  private Tensor gy;

  @Setup
  public void setup() {
    int[] s = switch (shape) { // batch, in channels, out channels, height = width
      case "mnist_conv1" -> new int[] {64, 1, 32, 28};
      case "mnist_conv2" -> new int[] {64, 32, 64, 14};
      case "resnet_block" -> new int[] {32, 64, 64, 56};
      default -> throw new IllegalArgumentException("unknown shape " + shape);
    };
    Generator g = new Generator(1);
    x = Tensor.randn(g, DType.FLOAT32, s[0], s[1], s[3], s[3]).requiresGrad(s[1] > 1);
    w = Tensor.randn(g, DType.FLOAT32, s[2], s[1], 3, 3).mul(0.1).requiresGrad(true);
    b = Tensor.zeros(s[2]).requiresGrad(true);
    gy = Tensor.randn(g, DType.FLOAT32, s[0], s[2], s[3], s[3]);
  }

  @Benchmark
  public void forward() {
    try (ModeScope m = Autograd.noGrad(); TensorScope s = TensorScope.open()) {
      Convolutions.conv2d(x, w, b, 1, 1, 1, 1);
    }
  }

  @Benchmark
  public void forwardBackward() {
    try (TensorScope s = TensorScope.open()) {
      Convolutions.conv2d(x, w, b, 1, 1, 1, 1).backward(gy);
      x.setGrad(null);
      w.setGrad(null);
      b.setGrad(null);
    }
  }
}
