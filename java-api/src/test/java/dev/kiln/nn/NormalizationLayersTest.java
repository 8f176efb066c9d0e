package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BatchNorm, InstanceNorm, LayerNorm, GroupNorm and RMSNorm: PyTorch's state dict keys and initial values, the
 * running statistics over several batches (momentum and the cumulative average), train/eval, input checks.
 */
class NormalizationLayersTest {
  private static Tensor batch(long seed, long... shape) {
    return Tensor.randn(new Generator(seed), DType.FLOAT32, shape).mul(2).add(1);
  }

  @Test
  void batchNormHasPyTorchsStateAndStartingValues() {
    BatchNorm2d bn = new BatchNorm2d(3);
    assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
        List.copyOf(bn.stateDict().keySet()));
    assertArrayEquals(new double[] {1, 1, 1}, bn.weight.toDoubleArray());
    assertArrayEquals(new double[] {0, 0, 0}, bn.bias.toDoubleArray());
    assertArrayEquals(new double[] {0, 0, 0}, bn.runningMean.toDoubleArray());
    assertArrayEquals(new double[] {1, 1, 1}, bn.runningVar.toDoubleArray());
    assertEquals(DType.INT64, bn.numBatchesTracked.dtype());
    assertEquals(0, bn.numBatchesTracked.itemLong());
    assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"),
        List.copyOf(new BatchNorm1d(3, 1e-5, 0.1, false, true).stateDict().keySet()));
    assertEquals(List.of("weight", "bias"), List.copyOf(new BatchNorm1d(3, 1e-5, 0.1, true, false).stateDict().keySet()));
  }

  @Test
  void runningStatisticsFollowMomentumOverBatches() {
    BatchNorm1d bn = new BatchNorm1d(2);
    double[] mean = {0, 0}, var = {1, 1};
    for (int step = 0; step < 3; step++) {
      Tensor x = batch(step, 8, 2).to(DType.FLOAT64);
      bn.call(x.to(DType.FLOAT32));
      double[] m = x.mean(new int[] {0}, false).toDoubleArray(), v = x.var(new int[] {0}, 1, false).toDoubleArray();
      for (int c = 0; c < 2; c++) {
        mean[c] = 0.9 * mean[c] + 0.1 * m[c];
        var[c] = 0.9 * var[c] + 0.1 * v[c];
      }
    }
    assertArrayEquals(mean, bn.runningMean.toDoubleArray(), 1e-5);
    assertArrayEquals(var, bn.runningVar.toDoubleArray(), 1e-5);
    assertEquals(3, bn.numBatchesTracked.itemLong());
  }

  @Test
  void momentumNullIsTheCumulativeAverage() {
    BatchNorm1d bn = new BatchNorm1d(2, 1e-5, null, true, true);
    Tensor a = batch(10, 6, 2), b = batch(11, 6, 2);
    bn.call(a);
    bn.call(b);
    double[] expected = a.mean(new int[] {0}, false).add(b.mean(new int[] {0}, false)).div(2).toDoubleArray();
    assertArrayEquals(expected, bn.runningMean.toDoubleArray(), 1e-5);
    assertEquals("BatchNorm1d(2, eps=1e-05, momentum=None, affine=True, track_running_stats=True)", bn.toString());
  }

  @Test
  void evaluationUsesRunningStatisticsAndLeavesThemAlone() {
    BatchNorm1d bn = new BatchNorm1d(2);
    bn.call(batch(12, 10, 2));
    bn.eval();
    double[] before = bn.runningMean.toDoubleArray();
    Tensor x = batch(13, 4, 2);
    Tensor y = bn.call(x);
    Tensor expected = x.sub(bn.runningMean).div(bn.runningVar.add(1e-5).sqrt());
    assertArrayEquals(expected.toDoubleArray(), y.toDoubleArray(), 1e-5);
    assertArrayEquals(before, bn.runningMean.toDoubleArray(), 0.0);
    assertEquals(1, bn.numBatchesTracked.itemLong());
  }

  @Test
  void untrackedBatchNormAlwaysUsesBatchStatistics() {
    BatchNorm1d bn = new BatchNorm1d(2, 1e-5, 0.1, false, false);
    bn.eval();
    Tensor x = batch(14, 10, 2);
    Tensor y = bn.call(x);
    assertArrayEquals(new double[] {0, 0}, y.mean(new int[] {0}, false).toDoubleArray(), 1e-5);
    assertNull(bn.runningMean);
  }

  @Test
  void inputDimsAreChecked() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).call(batch(1, 2, 3)));
    assertEquals("expected 4D input (got 2D input)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).call(batch(1, 2, 3, 4, 5)));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm3d(3).call(batch(1, 2, 3, 4)));
    assertThrows(IllegalArgumentException.class, () -> new InstanceNorm2d(3, 1e-5, 0.1, true, false).call(batch(1, 2, 4, 5, 5)));
    assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(0));
  }

  @Test
  void instanceNormTracksTheMeanOfTheInstances() {
    InstanceNorm1d in = new InstanceNorm1d(2, 1e-5, 0.5, false, true);
    Tensor x = batch(15, 3, 2, 6);
    Tensor y = in.call(x);
    assertArrayEquals(new double[6], y.mean(new int[] {2}, false).toDoubleArray(), 1e-5);
    double[] expected = x.mean(new int[] {2}, false).mean(new int[] {0}, false).mul(0.5).toDoubleArray();
    assertArrayEquals(expected, in.runningMean.toDoubleArray(), 1e-5);
    in.eval();
    Tensor z = in.call(x); // now with the running statistics
    assertArrayEquals(x.sub(in.runningMean.view(1, 2, 1)).div(in.runningVar.view(1, 2, 1).add(1e-5).sqrt()).toDoubleArray(),
        z.toDoubleArray(), 1e-5);
    assertArrayEquals(new long[] {2, 6}, in.call(batch(16, 2, 6)).shape()); // no batch dim
  }

  @Test
  void layerGroupAndRmsNormsStartAsPyTorch() {
    LayerNorm ln = new LayerNorm(3, 4);
    assertArrayEquals(new long[] {3, 4}, ln.weight.shape());
    assertEquals(12.0, ln.weight.sum().item());
    assertEquals(0.0, ln.bias.sum().item());
    assertEquals("LayerNorm((3, 4), eps=1e-05, elementwise_affine=True)", ln.toString());
    assertEquals(List.of(), List.copyOf(new LayerNorm(new long[] {4}, 1e-5, false).stateDict().keySet()));
    GroupNorm gn = new GroupNorm(2, 6);
    assertEquals("GroupNorm(2, 6, eps=1e-05, affine=True)", gn.toString());
    RMSNorm rms = new RMSNorm(5);
    assertEquals("RMSNorm((5,), eps=None, elementwise_affine=True)", rms.toString());
    assertEquals(5.0, rms.weight.sum().item());
    Tensor x = batch(17, 2, 5);
    double[] r = x.pow(2).mean(new int[] {1}, true).add(Math.ulp(1.0f)).rsqrt().mul(x).toDoubleArray();
    assertArrayEquals(r, rms.call(x).toDoubleArray(), 1e-5);
  }

  @Test
  void resetParametersRestoresTheStart() {
    BatchNorm1d bn = new BatchNorm1d(2);
    bn.call(batch(18, 4, 2));
    try (var g = dev.kiln.autograd.Autograd.noGrad()) {
      bn.weight.mul_(3.0);
    }
    bn.resetParameters();
    assertArrayEquals(new double[] {1, 1}, bn.weight.toDoubleArray());
    assertArrayEquals(new double[] {0, 0}, bn.runningMean.toDoubleArray());
    assertEquals(0, bn.numBatchesTracked.itemLong());
  }

  @Test
  void instanceNormRefusesACumulativeMomentum() {
    // momentum is settable (update_bn sets a BatchNorm's to null); instance norm has no cumulative average
    InstanceNorm1d in = new InstanceNorm1d(2, 1e-5, 0.1, false, true);
    in.momentum = null;
    dev.kiln.ArgumentException e = assertThrows(dev.kiln.ArgumentException.class, () -> in.call(Tensor.randn(3, 2, 4)));
    assertTrue(e.getMessage().startsWith("InstanceNorm1d: momentum"), e.getMessage());
  }
}
