package dev.kiln.optim.swa;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.LazyBatchNorm1d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * AveragedModel and update_bn beyond their PyTorch trajectories (SwaParityTest): the copy, its state dict and
 * forward, and update_bn's cumulative statistics, restored momenta and modes, and refusals.
 */
class SwaTest {
  private static Sequential net() {
    return new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 2));
  }

  private static void fill(Sequential m, double value) {
    for (Tensor p : m.parameters()) p.detach().fill_(value);
  }

  @Test
  void copiesTheModelAndNamesStateAsPyTorch() {
    Sequential model = net();
    model.get(1).eval();
    model.get(3).parameters().get(1).requiresGrad(false);
    AveragedModel<Sequential> swa = new AveragedModel<>(model, SwaTest::net);
    List<String> keys = new ArrayList<>(swa.stateDict().keySet());
    assertEquals(List.of("n_averaged", "module.0.weight", "module.0.bias", "module.1.weight", "module.1.bias",
        "module.1.running_mean", "module.1.running_var", "module.1.num_batches_tracked", "module.3.weight", "module.3.bias"), keys);
    assertTrue(swa.toString().startsWith("AveragedModel(\n  (module): Sequential(\n    (0): Linear(in_features=3"), swa.toString());
    assertEquals(0, swa.nAveraged());
    // The same values, modes and flags, in memory of its own.
    Sequential copy = swa.module();
    assertArrayEquals(model.get(0).parameters().get(0).toDoubleArray(), copy.get(0).parameters().get(0).toDoubleArray());
    assertFalse(copy.get(1).isTraining());
    assertTrue(copy.get(0).isTraining());
    assertFalse(copy.get(3).parameters().get(1).requiresGrad());
    fill(model, 5.0);
    assertNotEquals(5.0, copy.get(0).parameters().get(0).toDoubleArray()[0]);
    // Calling it runs the copy.
    Tensor x = Tensor.randn(2, 3);
    swa.eval();
    assertArrayEquals(copy.call(x).toDoubleArray(), swa.call(x).toDoubleArray());
  }

  @Test
  void refusesACopyThatIsNotOne() {
    Sequential model = net();
    assertThrows(IllegalArgumentException.class, () -> new AveragedModel<>(model, () -> model));
    assertThrows(IllegalStateException.class, () -> new AveragedModel<Sequential>(model, () -> new Sequential(new Linear(3, 4))));
  }

  @Test
  void averagesParametersEquallyByDefault() {
    Sequential model = net();
    AveragedModel<Sequential> swa = new AveragedModel<>(model, SwaTest::net);
    for (double v : new double[] {1, 2, 6}) {
      fill(model, v);
      model.get(1).buffers().get(0).fill_(v); // running_mean: not averaged without useBuffers
      swa.updateParameters(model);
    }
    assertEquals(3, swa.nAveraged());
    for (Tensor p : swa.parameters()) for (double d : p.toDoubleArray()) assertEquals(3.0, d, 1e-6);
    for (double d : swa.module().get(1).buffers().get(0).toDoubleArray()) assertEquals(0.0, d);
  }

  @Test
  void averagesBuffersWithUseBuffersAndACustomFunction() {
    Sequential model = net();
    AveragedModel<Sequential> swa = new AveragedModel<>(model, SwaTest::net,
        (averaged, current, n) -> averaged.mul(0.5).add(current.mul(0.5)), true);
    for (double v : new double[] {4, 8}) {
      fill(model, v);
      model.get(1).buffers().get(0).fill_(v);
      swa.updateParameters(model);
    }
    for (Tensor p : swa.parameters()) for (double d : p.toDoubleArray()) assertEquals(6.0, d, 1e-6);
    for (double d : swa.module().get(1).buffers().get(0).toDoubleArray()) assertEquals(6.0, d, 1e-6);
  }

  @Test
  void updateBnAveragesOverAllBatchesAndRestores() {
    Sequential model = new Sequential(new BatchNorm1d(3), new Linear(3, 3), new BatchNorm1d(3, 1e-5, null, true, true));
    BatchNorm1d first = (BatchNorm1d) model.get(0), last = (BatchNorm1d) model.get(2);
    first.runningMean.fill_(7.0);
    model.eval();
    model.get(1).train(); // a mixed mode comes back as the model's own, as PyTorch's model.train(was_training)
    List<Tensor> batches = List.of(Tensor.randn(5, 3), Tensor.randn(4, 3).mul(3.0).add(1.0), Tensor.randn(6, 3).sub(2.0));
    BatchNormStats.updateBn(batches, model);

    // The cumulative average: the mean of the batch means, and of the unbiased batch variances.
    Tensor mean = Tensor.stack(batches.get(0).mean(0), batches.get(1).mean(0), batches.get(2).mean(0)).mean(0);
    Tensor var = Tensor.stack(batches.get(0).var(0), batches.get(1).var(0), batches.get(2).var(0)).mean(0);
    assertArrayEquals(mean.toDoubleArray(), first.runningMean.toDoubleArray(), 1e-5);
    assertArrayEquals(var.toDoubleArray(), first.runningVar.toDoubleArray(), 1e-5);
    assertEquals(3, first.numBatchesTracked.itemLong());
    assertEquals(3, last.numBatchesTracked.itemLong());
    assertEquals(0.1, first.momentum);
    assertNull(last.momentum);
    for (var m : model.modules()) assertFalse(m.isTraining());
  }

  @Test
  void updateBnTakesTheFirstElementOfABatch() {
    Tensor x = Tensor.randn(8, 3);
    BatchNorm1d a = new BatchNorm1d(3), b = new BatchNorm1d(3);
    BatchNormStats.updateBn(List.of((Object) new Tensor[] {x, Tensor.zeros(8)}), a); // one batch, a Tensor[]
    BatchNormStats.updateBn(List.of(List.of(x, Tensor.zeros(8))), b);
    assertArrayEquals(x.mean(0).toDoubleArray(), a.runningMean.toDoubleArray(), 1e-6);
    assertArrayEquals(a.runningVar.toDoubleArray(), b.runningVar.toDoubleArray());
    assertThrows(IllegalArgumentException.class, () -> BatchNormStats.updateBn(List.of("not a batch"), new BatchNorm1d(3)));
  }

  @Test
  void updateBnRestoresMomentaWhenAForwardFails() {
    BatchNorm1d bn = new BatchNorm1d(3);
    bn.eval();
    assertThrows(RuntimeException.class, () -> BatchNormStats.updateBn(List.of(Tensor.randn(2, 5)), bn));
    assertEquals(0.1, bn.momentum);
    assertFalse(bn.isTraining());
  }

  @Test
  void updateBnLeavesAModelWithoutBatchNormAlone() {
    Sequential model = new Sequential(new Linear(3, 2));
    model.eval();
    BatchNormStats.updateBn(List.of(Tensor.randn(2, 3)), model);
    assertFalse(model.isTraining());
  }

  @Test
  void updateBnRefusesBatchNormWithoutStatistics() {
    Sequential untracked = new Sequential(new BatchNorm1d(3, 1e-5, 0.1, true, false));
    assertThrows(IllegalArgumentException.class, () -> BatchNormStats.updateBn(List.of(Tensor.randn(2, 3)), untracked));
    LazyBatchNorm1d lazy = new LazyBatchNorm1d();
    assertThrows(IllegalArgumentException.class, () -> BatchNormStats.updateBn(List.of(Tensor.randn(2, 3)), lazy));
    // Once called, a lazy batch norm is its BatchNorm1d.
    lazy.call(Tensor.randn(4, 3).add(10.0));
    Tensor x = Tensor.randn(6, 3);
    BatchNormStats.updateBn(List.of(x), lazy);
    assertArrayEquals(x.mean(0).toDoubleArray(), lazy.materialized().runningMean.toDoubleArray(), 1e-6);
    assertEquals(0.1, lazy.materialized().momentum);
  }
}
