package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.nn.LSTM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One LSTM training step's autograd work: nn.LSTM(64, 128), one layer, over a sequence of 32 steps of a batch of
 * 32 ([seq, batch, feature]), forward + backward from a fixed output gradient.
 */
@State(Scope.Thread)
public class LstmBenchmark {
  /** The sizes, shared with PyTorch's side in the JVM. */
  public static final class Shape {
    public static final int SEQ = 32;
    public static final int BATCH = 32;
    public static final int INPUT = 64;
    public static final int HIDDEN = 128;

    private Shape() {}
  }

  private LSTM lstm;
  private Tensor x;
  private Tensor gy;

  @Setup
  public void setup() {
    Generator g = new Generator(1);
    lstm = new LSTM(Shape.INPUT, Shape.HIDDEN);
    x = Tensor.randn(g, DType.FLOAT32, Shape.SEQ, Shape.BATCH, Shape.INPUT);
    gy = Tensor.randn(g, DType.FLOAT32, Shape.SEQ, Shape.BATCH, Shape.HIDDEN);
  }

  @Benchmark
  public void forwardBackward() {
    try (TensorScope s = TensorScope.open()) {
      lstm.forward(x).backward(gy);
      lstm.zeroGrad();
    }
  }
}
