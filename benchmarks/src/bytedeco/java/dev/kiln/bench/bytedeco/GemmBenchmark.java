package dev.kiln.bench.bytedeco;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** dev.kiln.bench.jmh.GemmBenchmark in PyTorch 2.7.1 from Java. */
@State(Scope.Thread)
public class GemmBenchmark {
  @Param({"64", "256", "1024", "2048"})
  public int n;

  @Param({"float32", "float64"})
  public String dtype;

  private Tensor a;
  private Tensor b;

  @Setup
  public void setup() {
    Torch.init();
    TensorOptions o = new TensorOptions(dtype.equals("float32") ? torch.ScalarType.Float : torch.ScalarType.Double);
    a = torch.randn(new long[] {n, n}, o);
    b = torch.randn(new long[] {n, n}, o);
  }

  @Benchmark
  public void mm() {
    try (PointerScope s = new PointerScope()) {
      a.mm(b);
    }
  }
}
