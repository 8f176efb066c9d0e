package dev.kiln.bench.jmh;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The heavy float32 elementwise ops on 16M elements (the vectorized exp, log, log1p, expm1, sin, cos, tan, erf, tanh,
 * sigmoid, atan, log10, exp2, asinh, atanh; clamp, maximum; the float16 conversion, float16 and bfloat16 arithmetic),
 * each into a new tensor. Kernel suite (formerly PointwiseBench).
 */
@State(Scope.Thread)
public class PointwiseBenchmark {
  private static final long N = 16L * 1024 * 1024;

  @Param({"exp", "log", "log1p", "expm1", "sin", "cos", "tan", "erf", "tanh", "sigmoid", "atan", "log10", "exp2",
      "asinh", "atanh", "clamp", "maximum", "to_float16", "float16_add", "bfloat16_exp", "bfloat16_mul"})
  public String op;

  private Supplier<Tensor> call;

  @Setup
  public void setup() {
    // x[i] = ((i * 7919) % 20011) / 10000 - 1, in [-1, 1), as benchmarks/pytorch/kernels.py makes it.
    Tensor x = Tensor.arange(N).mul(7919L).remainder(20011L).to(DType.FLOAT64).div(10000.0).sub(1.0)
        .to(DType.FLOAT32);
    Tensor pos = x.abs().add(0.01);
    Tensor h = x.to(DType.FLOAT16);
    Tensor bf = x.to(DType.BFLOAT16);
    call = switch (op) {
      case "exp" -> x::exp;
      case "log" -> pos::log;
      case "log1p" -> pos::log1p;
      case "expm1" -> x::expm1;
      case "sin" -> x::sin;
      case "cos" -> x::cos;
      case "tan" -> x::tan;
      case "erf" -> x::erf;
      case "tanh" -> x::tanh;
      case "sigmoid" -> x::sigmoid;
      case "atan" -> x::atan;
      case "log10" -> pos::log10;
      case "exp2" -> x::exp2;
      case "asinh" -> x::asinh;
      case "atanh" -> x::atanh;
      case "clamp" -> () -> x.clamp(-0.5, 0.5);
      case "maximum" -> () -> x.maximum(pos);
      case "to_float16" -> () -> x.to(DType.FLOAT16);
      case "float16_add" -> () -> h.add(h);
      case "bfloat16_exp" -> bf::exp;
      case "bfloat16_mul" -> () -> bf.mul(0.5);
      default -> throw new IllegalArgumentException("unknown op " + op);
    };
  }

  @Benchmark
  public void run() {
    try (TensorScope s = TensorScope.open()) {
      call.get();
    }
  }
}
