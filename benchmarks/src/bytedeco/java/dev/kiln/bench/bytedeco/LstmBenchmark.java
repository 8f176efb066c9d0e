package dev.kiln.bench.bytedeco;

import dev.kiln.bench.jmh.LstmBenchmark.Shape;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LSTMImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** dev.kiln.bench.jmh.LstmBenchmark in PyTorch 2.7.1 from Java. */
@State(Scope.Thread)
public class LstmBenchmark {
  private LSTMImpl lstm;
  private Tensor x;
  private Tensor gy;

  @Setup
  public void setup() {
    Torch.init();
    lstm = new LSTMImpl(Shape.INPUT, Shape.HIDDEN);
    x = torch.randn(Shape.SEQ, Shape.BATCH, Shape.INPUT);
    gy = torch.randn(Shape.SEQ, Shape.BATCH, Shape.HIDDEN);
  }

  @Benchmark
  public void forwardBackward() {
    try (PointerScope s = new PointerScope()) {
      Torch.backward(lstm.forward(x).get0(), gy);
      lstm.zero_grad(true);
    }
  }
}
