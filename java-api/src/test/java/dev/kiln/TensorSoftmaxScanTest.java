package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.autograd.Autograd;
import org.junit.jupiter.api.Test;

/** softmax, logSoftmax, cumsum and cumprod beyond the fixtures: large rows, dtypes, autograd through the fused rows. */
class TensorSoftmaxScanTest {
  @Test
  void softmaxRowsSumToOneAndLogSoftmaxIsTheirLog() {
    Kiln.manualSeed(5);
    Tensor x = Tensor.randn(64, 3000).mul(20);
    double[] sums = x.softmax(1).sum(1).toDoubleArray();
    for (double s : sums) assertEquals(1.0, s, 1e-5);
    double[] cols = x.softmax(0).sum(0).toDoubleArray();
    for (double s : cols) assertEquals(1.0, s, 1e-5);
    float[] log = x.logSoftmax(-1).toFloatArray(), direct = x.softmax(-1).log().toFloatArray();
    for (int i = 0; i < log.length; i += 97)
      if (direct[i] > -80) assertEquals(direct[i], log[i], 1e-4 * Math.max(1, Math.abs(log[i])), "element " + i);
  }

  @Test
  void dtypesAndShapes() {
    Tensor ints = Tensor.of(new long[] {1, 2, 3});
    assertEquals(DType.FLOAT64, ints.softmax(0, DType.FLOAT64).dtype());
    assertEquals(DType.FLOAT32, ints.logSoftmax(0, DType.FLOAT32).dtype());
    assertArrayEquals(new long[] {2, 0}, Tensor.zeros(2, 0).softmax(1).shape());
    assertEquals(1.0, Tensor.scalar(7.0).softmax(0).item());
    assertEquals(DType.INT64, Tensor.of(new boolean[] {true, false}).cumsum(0).dtype());
    assertArrayEquals(new long[] {1, 1, 2}, Tensor.of(new boolean[] {true, false, true}).cumsum(0).toLongArray());
    assertEquals(DType.FLOAT64, ints.cumprod(0, DType.FLOAT64).dtype());
    assertArrayEquals(new double[] {1, 2, 6}, ints.cumprod(0, DType.FLOAT64).toDoubleArray());
    assertArrayEquals(new float[] {1, 3, 6, 4, 9, 15}, Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).cumsum(1)
        .toFloatArray());
  }

  @Test
  void gradientsGoThroughTheFusedBackwardRows() {
    Tensor x = Tensor.randn(DType.FLOAT64, 3, 4).requiresGrad(true);
    Tensor w = Tensor.randn(DType.FLOAT64, 3, 4);
    Tensor y = x.softmax(1);
    assertEquals("SoftmaxBackward0", y.gradFn().name());
    Tensor g = Autograd.grad(y.mul(w).sum(), x, true)[0];
    assertEquals("SoftmaxBackwardDataBackward0", g.gradFn().name());
    // softmax's gradient sums to zero along the dim: the outputs always sum to one.
    for (double s : g.sum(1).toDoubleArray()) assertEquals(0.0, s, 1e-12);
    Tensor lg = Autograd.grad(x.logSoftmax(0).mul(w).sum(), x, true)[0];
    assertEquals("LogSoftmaxBackwardDataBackward0", lg.gradFn().name());
    Tensor second = Autograd.grad(lg.mul(lg).sum(), x)[0];
    assertArrayEquals(new long[] {3, 4}, second.shape());
  }

  @Test
  void cumprodGradientAtZerosMatchesPyTorch() {
    // torch: x = [2, 0, 3, 0, 5]; x.cumprod(0).backward([1, 2, 3, 4, 5]) gives [1, 22, 0, 0, 0].
    Tensor x = Tensor.of(new double[] {2, 0, 3, 0, 5}).requiresGrad(true);
    x.cumprod(0).backward(Tensor.of(new double[] {1, 2, 3, 4, 5}));
    assertArrayEquals(new double[] {1, 22, 0, 0, 0}, x.grad().toDoubleArray());
    Tensor y = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
    y.cumsum(0).backward(Tensor.of(new double[] {1, 1, 1}));
    assertArrayEquals(new double[] {3, 2, 1}, y.grad().toDoubleArray());
  }

  @Test
  void longScansAreAccurate() {
    int n = 1_000_000;
    float[] data = new float[n];
    for (int i = 0; i < n; i++) data[i] = ((i * 7919L) % 2001) / 64f - 15.5f;
    float[] c = Tensor.of(data).cumsum(0).toFloatArray();
    double exact = 0;
    for (int i = 0; i < n; i++) {
      exact += data[i];
      if (i % 9973 == 0) assertEquals((float) exact, c[i], "prefix " + i);
    }
    Tensor m = Tensor.of(data).view(1000, 1000);
    assertArrayEquals(m.cumsum(0).toFloatArray(), m.t().contiguous().cumsum(1).t().contiguous().toFloatArray());
  }
}
