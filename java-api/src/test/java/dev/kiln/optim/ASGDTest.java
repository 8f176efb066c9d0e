package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ASGD beyond its PyTorch trajectories (OptimizerParityTest): option errors, its state against a direct reference of
 * PyTorch's loop, resuming from a state dict, empty and non-contiguous parameters.
 */
class ASGDTest {
  private static Tensor param(long seed, DType dtype, long... shape) {
    return Tensor.randn(new Generator(seed), dtype, shape).requiresGrad(true);
  }

  private static Tensor gradient(int step, Tensor p) {
    return Tensor.randn(new Generator(100 + step), p.dtype(), p.shape());
  }

  private static Map<?, ?> stateOf(Optimizer opt, int index) {
    return (Map<?, ?>) ((Map<?, ?>) opt.stateDict().get("state")).get(Integer.toString(index));
  }

  @Test
  void rejectsBadOptionsWithPyTorchsChecks() {
    List<Tensor> ps = List.of(param(1, DType.FLOAT32, 3));
    assertEquals("ASGD: invalid learning rate: -0.1", assertThrows(IllegalArgumentException.class, () -> new ASGD(ps, -0.1)).getMessage());
    assertEquals("ASGD: invalid learning rate: NaN",
        assertThrows(IllegalArgumentException.class, () -> new ASGD(ps, Double.NaN)).getMessage());
    assertEquals("ASGD: invalid weight_decay value: -1.0",
        assertThrows(IllegalArgumentException.class, () -> new ASGD(ps, Map.of("weight_decay", -1.0))).getMessage());
    assertEquals("ASGD: invalid learning rate: -2.0", assertThrows(IllegalArgumentException.class,
        () -> new ASGD(List.of(new ParamGroup(ps, Map.of("lr", -2.0))), Map.of())).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ASGD(ps, Map.of("momentum", 0.9))).getMessage()
        .startsWith("ASGD: unknown option 'momentum'"));
    // PyTorch checks neither lambd, alpha nor t0.
    assertDoesNotThrow(() -> new ASGD(ps, Map.of("lambd", -1.0, "alpha", -1.0, "t0", -1.0)));
  }

  @Test
  void followsPyTorchsLoopWithFloat32EtaAndMu() {
    Tensor p = param(2, DType.FLOAT64, 3, 2);
    double lr = 0.1, lambd = 0.01, alpha = 0.6, t0 = 2.5, wd = 0.05;
    ASGD opt = new ASGD(List.of(p), Map.of("lr", lr, "lambd", lambd, "alpha", alpha, "t0", t0, "weight_decay", wd));
    // _single_tensor_asgd in double, eta and mu kept in float32 as in PyTorch's 0-dim tensors.
    double[] x = p.toDoubleArray(), ax = new double[x.length];
    double eta = (float) lr, mu = 1;
    for (int t = 1; t <= 6; t++) {
      Tensor g = gradient(t, p);
      p.setGrad(g);
      opt.step();
      double[] gv = g.toDoubleArray();
      for (int i = 0; i < x.length; i++) {
        double d = gv[i] + wd * x[i];
        x[i] *= 1 - lambd * eta;
        x[i] += -eta * d;
        ax[i] = mu != 1 ? ax[i] + (x[i] - ax[i]) * mu : x[i];
      }
      eta = (float) (lr / Math.pow(1 + lambd * lr * t, alpha));
      mu = (float) (1 / Math.max(1, t - t0));
    }
    Map<?, ?> s = stateOf(opt, 0);
    assertEquals(List.of("step", "eta", "mu", "ax"), List.copyOf(s.keySet()));
    assertEquals(6.0, s.get("step"));
    assertEquals(eta, s.get("eta"));
    assertEquals((double) (float) (1 / 3.5), s.get("mu")); // 1 / (6 - t0); steps 5 and 6 averaged (mu 1 / 1.5, 1 / 2.5)
    assertArrayEquals(x, p.toDoubleArray(), 1e-14);
    double[] got = ((Tensor) s.get("ax")).toDoubleArray();
    assertArrayEquals(ax, got, 1e-14);
    assertTrue(Math.abs(got[0] - x[0]) > 1e-3, "the average has left the parameter: " + got[0] + " vs " + x[0]);
  }

  @Test
  void resumesFromItsStateDictExactly() {
    Map<String, Object> options = Map.of("lr", 0.05, "t0", 1.0, "weight_decay", 0.1, "maximize", true);
    Tensor straight = param(3, DType.FLOAT32, 4, 3), first = straight.detach().clone().requiresGrad(true);
    ASGD straightOpt = new ASGD(List.of(straight), options), firstOpt = new ASGD(List.of(first), options);
    for (int t = 1; t <= 3; t++) {
      straight.setGrad(gradient(t, straight));
      straightOpt.step();
      first.setGrad(gradient(t, first));
      firstOpt.step();
    }
    Tensor resumed = first.detach().clone().requiresGrad(true);
    ASGD resumedOpt = new ASGD(List.of(resumed)); // defaults, replaced by the dict's options
    resumedOpt.loadStateDict(firstOpt.stateDict());
    firstOpt.close(); // the loaded state is a copy
    assertEquals(true, resumedOpt.paramGroups().get(0).get("maximize"));
    for (int t = 4; t <= 6; t++) {
      straight.setGrad(gradient(t, straight));
      straightOpt.step();
      resumed.setGrad(gradient(t, resumed));
      resumedOpt.step();
    }
    assertArrayEquals(straight.toFloatArray(), resumed.toFloatArray(), 0f);
    Map<?, ?> a = stateOf(straightOpt, 0), b = stateOf(resumedOpt, 0);
    assertArrayEquals(((Tensor) a.get("ax")).toFloatArray(), ((Tensor) b.get("ax")).toFloatArray(), 0f);
    assertEquals(a.get("eta"), b.get("eta"));
    assertEquals(a.get("mu"), b.get("mu"));
    assertEquals(6.0, b.get("step"));
  }

  @Test
  void takesEmptyAndNonContiguousParameters() {
    Tensor empty = Tensor.zeros(DType.FLOAT32, 0, 3).requiresGrad(true);
    empty.setGrad(Tensor.zeros(DType.FLOAT32, 0, 3));
    ASGD emptyOpt = new ASGD(List.of(empty));
    emptyOpt.step();
    assertArrayEquals(new long[] {0, 3}, ((Tensor) stateOf(emptyOpt, 0).get("ax")).shape());

    // A transposed parameter and gradient take the strided loop; a contiguous copy the vectorised one: same bits.
    Map<String, Object> options = Map.of("lr", 0.05, "t0", 1.0, "weight_decay", 0.1);
    Tensor strided = Tensor.randn(new Generator(4), DType.FLOAT32, 19, 7).transpose(0, 1).requiresGrad(true);
    Tensor dense = strided.detach().contiguous().requiresGrad(true);
    assertFalse(strided.isContiguous());
    ASGD stridedOpt = new ASGD(List.of(strided), options), denseOpt = new ASGD(List.of(dense), options);
    for (int t = 1; t <= 4; t++) {
      Tensor g = Tensor.randn(new Generator(200 + t), DType.FLOAT32, 19, 7).transpose(0, 1);
      strided.setGrad(g);
      stridedOpt.step();
      dense.setGrad(g.contiguous());
      denseOpt.step();
    }
    assertArrayEquals(dense.toFloatArray(), strided.toFloatArray(), 0f);
    assertArrayEquals(((Tensor) stateOf(denseOpt, 0).get("ax")).toFloatArray(),
        ((Tensor) stateOf(stridedOpt, 0).get("ax")).toFloatArray(), 0f);
  }
}
