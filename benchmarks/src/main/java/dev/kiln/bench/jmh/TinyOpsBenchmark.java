package dev.kiln.bench.jmh;

import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Dispatch cost: {@value #OPS} adds of 1-element tensors per call, without and with autograd recording, and a
 * chain of {@value #OPS} tiny ops forward then backward. Calls of many ops, so that the scope's bookkeeping and
 * the timer are spread over them (the runner divides by {@value #OPS}).
 */
@State(Scope.Thread)
public class TinyOpsBenchmark {
  public static final int OPS = 1000;

  private Tensor a;
  private Tensor b;
  private Tensor x;

  @Setup
  public void setup() {
    a = Tensor.ones(1);
    b = Tensor.ones(1);
    x = Tensor.ones(1).requiresGrad(true);
  }

  @Benchmark
  public void addNoGrad() {
    try (ModeScope g = Autograd.noGrad(); TensorScope s = TensorScope.open()) {
      for (int i = 0; i < OPS; i++) a.add(b);
    }
  }

  @Benchmark
  public void addRecorded() {
    try (TensorScope s = TensorScope.open()) {
      for (int i = 0; i < OPS; i++) x.add(b);
    }
  }

  /** Alternating add and mul by constants, as benchmarks/pytorch/run.py does. */
  @Benchmark
  public void chainForwardBackward() {
    try (TensorScope s = TensorScope.open()) {
      Tensor y = x;
      for (int i = 0; i < OPS; i++) y = i % 2 == 1 ? y.mul(1.0001) : y.add(1.0);
      y.backward();
      x.setGrad(null);
    }
  }
}
