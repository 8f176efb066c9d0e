package dev.kiln.bench.bytedeco;

import dev.kiln.bench.jmh.RecurrentBenchmark.Shape;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GRUImpl;
import org.bytedeco.pytorch.LSTMImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** dev.kiln.bench.jmh.RecurrentBenchmark in PyTorch 2.7.1 from Java. */
@State(Scope.Thread)
public class RecurrentBenchmark {
  @Param({"lstm", "gru"})
  public String cell;

  private LSTMImpl lstm;
  private GRUImpl gru;
  private Tensor x;
  private Tensor gy;

  @Setup
  public void setup() {
    Torch.init();
    if (cell.equals("lstm")) lstm = new LSTMImpl(Shape.INPUT, Shape.HIDDEN);
    else gru = new GRUImpl(Shape.INPUT, Shape.HIDDEN);
    x = torch.randn(Shape.SEQ, Shape.BATCH, Shape.INPUT);
    gy = torch.randn(Shape.SEQ, Shape.BATCH, Shape.HIDDEN);
  }

  @Benchmark
  public void forwardBackward() {
    try (PointerScope s = new PointerScope()) {
      if (lstm != null) {
        Torch.backward(lstm.forward(x).get0(), gy);
        lstm.zero_grad(true);
      } else {
        Torch.backward(gru.forward(x).get0(), gy);
        gru.zero_grad(true);
      }
    }
  }
}
