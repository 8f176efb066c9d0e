package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.RNNBase;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One recurrent layer's training-step autograd work: nn.LSTM(64, 128) or nn.GRU(64, 128), one layer, over a
 * sequence of 32 steps of a batch of 32 ([seq, batch, feature]), forward + backward from a fixed output gradient.
 */
@State(Scope.Thread)
public class RecurrentBenchmark {
  /** The sizes, shared with PyTorch's side in the JVM. */
  public static final class Shape {
    public static final int SEQ = 32;
    public static final int BATCH = 32;
    public static final int INPUT = 64;
    public static final int HIDDEN = 128;

    private Shape() {}
  }

  @Param({"lstm", "gru"})
  public String cell;

  private RNNBase layer;
  private Tensor x;
  private Tensor gy;

  @Setup
  public void setup() {
    Generator g = new Generator(1);
    layer = cell.equals("lstm") ? new LSTM(Shape.INPUT, Shape.HIDDEN) : new GRU(Shape.INPUT, Shape.HIDDEN);
    x = Tensor.randn(g, DType.FLOAT32, Shape.SEQ, Shape.BATCH, Shape.INPUT);
    gy = Tensor.randn(g, DType.FLOAT32, Shape.SEQ, Shape.BATCH, Shape.HIDDEN);
  }

  @Benchmark
  public void forwardBackward() {
    try (TensorScope s = TensorScope.open()) {
      layer.forward(x).backward(gy);
      layer.zeroGrad();
    }
  }
}
