package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.AutogradException;
import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Custom Functions written in Java, inside larger graphs, with createGraph, across threads, failing. */
class CustomFunctionTest {
  /** exp(x) with a hand-written backward that uses the saved output. */
  static final class MyExp extends Function {
    @Override
    public Tensor forward(FunctionContext ctx, Tensor... in) {
      Tensor y = in[0].exp();
      ctx.saveForBackward(y);
      return y;
    }

    @Override
    public Tensor[] backward(FunctionContext ctx, Tensor... grad) {
      return new Tensor[] {grad[0].mul(ctx.savedTensors()[0])};
    }
  }

  /** a * b^2, with a non-tensor constant kept in the context. */
  static final class ScaledProduct extends Function {
    @Override
    public Tensor forward(FunctionContext ctx, Tensor... in) {
      ctx.saveForBackward(in[0], in[1]);
      ctx.put("scale", 3.0);
      return in[0].mul(in[1]).mul(in[1]).mul(3.0);
    }

    @Override
    public Tensor[] backward(FunctionContext ctx, Tensor... grad) {
      Tensor[] s = ctx.savedTensors();
      double scale = ctx.get("scale");
      Tensor ga = ctx.needsInputGrad(0) ? grad[0].mul(s[1]).mul(s[1]).mul(scale) : null;
      Tensor gb = ctx.needsInputGrad(1) ? grad[0].mul(s[0]).mul(s[1]).mul(2 * scale) : null;
      return new Tensor[] {ga, gb};
    }
  }

  @Test
  void insideALargerGraph() {
    Tensor x = Tensor.of(new double[] {0.1, 0.2, 0.3}).requiresGrad(true);
    Tensor y = new MyExp().apply(x.mul(2)).sum().mul(3);
    assertEquals("MyExpBackward", new MyExp().apply(x).gradFn().name());
    y.backward();
    for (int i = 0; i < 3; i++) assertEquals(6 * Math.exp(0.2 * (i + 1)), x.grad().toDoubleArray()[i], 1e-12);
  }

  @Test
  void twoInputsOneWithoutGrad() {
    Tensor a = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    Tensor b = Tensor.of(new double[] {3, 4});
    new ScaledProduct().apply(a, b).sum().backward();
    assertArrayEquals(new double[] {27, 48}, a.grad().toDoubleArray(), 1e-12);
    GradCheck.gradcheck(in -> new Tensor[] {new ScaledProduct().apply(in)}, a, b.requiresGrad(true));
  }

  @Test
  void createGraphThroughAJavaBackward() {
    Tensor x = Tensor.scalar(0.5, DType.FLOAT64).requiresGrad(true);
    Tensor y = new MyExp().apply(x);
    Tensor d1 = Autograd.grad(y, x, true)[0];
    Tensor d2 = Autograd.grad(d1, x)[0];
    assertEquals(Math.exp(0.5), d1.item(), 1e-12);
    assertEquals(Math.exp(0.5), d2.item(), 1e-12);
    GradCheck.gradgradcheck(in -> new Tensor[] {new MyExp().apply(in[0])}, x);
  }

  @Test
  void fromSeveralThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        final double v = t;
        results.add(pool.submit(() -> {
          double[] out = new double[50];
          for (int i = 0; i < 50; i++) {
            Tensor x = Tensor.of(new double[] {v / 10}).requiresGrad(true);
            new MyExp().apply(x.mul(2)).sum().backward();
            out[i] = x.grad().item();
          }
          return out;
        }));
      }
      for (int t = 0; t < 8; t++)
        for (double g : results.get(t).get()) assertEquals(2 * Math.exp(2 * t / 10.0), g, 1e-12);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void errorsInBackwardReachTheCaller() {
    Function wrongCount = new Function() {
      @Override
      public Tensor forward(FunctionContext ctx, Tensor... in) {
        return in[0].mul(2);
      }

      @Override
      public Tensor[] backward(FunctionContext ctx, Tensor... grad) {
        return new Tensor[] {grad[0], grad[0]};
      }
    };
    Tensor x = Tensor.of(new double[] {1}).requiresGrad(true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> wrongCount.apply(x).sum().backward());
    assertTrue(e.getMessage().contains("backward returned 2 gradients but the function has 1 inputs"), e.getMessage());

    Function wrongShape = new Function() {
      @Override
      public Tensor forward(FunctionContext ctx, Tensor... in) {
        return in[0].mul(2);
      }

      @Override
      public Tensor[] backward(FunctionContext ctx, Tensor... grad) {
        return new Tensor[] {Tensor.ones(DType.FLOAT64, 3)};
      }
    };
    Tensor pair = Tensor.of(new double[] {1, 2}).requiresGrad(true); // [3] cannot be summed to [2]
    AutogradException a = assertThrows(AutogradException.class, () -> wrongShape.apply(pair).sum().backward());
    assertTrue(a.getMessage().contains("returned an invalid gradient"), a.getMessage());
    x.mul(2).sum().backward(); // still usable
    assertEquals(2, x.grad().item());
  }

  @Test
  void modifyingASavedOutputIsDetected() {
    Tensor x = Tensor.of(new double[] {1}).requiresGrad(true);
    Tensor y = new MyExp().apply(x);
    Tensor z = y.sum();
    try (ModeScope g = Autograd.noGrad()) {
      y.mul_(2);
    }
    assertThrows(AutogradException.class, z::backward);
  }
}
