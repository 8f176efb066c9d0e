package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rprop beyond its PyTorch trajectories (OptimizerParityTest): option errors, its state, resuming from a state dict,
 * empty and non-contiguous parameters.
 */
class RpropTest {
  private static Tensor param(long seed, DType dtype, long... shape) {
    return Tensor.randn(new Generator(seed), dtype, shape).requiresGrad(true);
  }

  private static Tensor gradient(int step, Tensor p) {
    return Tensor.randn(new Generator(100 + step), p.dtype(), p.shape());
  }

  private static Map<?, ?> stateOf(Optimizer opt, int index) {
    return (Map<?, ?>) ((Map<?, ?>) opt.stateDict().get("state")).get(Integer.toString(index));
  }

  private static String error(Runnable make) {
    return assertThrows(IllegalArgumentException.class, make::run).getMessage();
  }

  @Test
  void rejectsBadOptionsWithPyTorchsChecks() {
    List<Tensor> ps = List.of(param(1, DType.FLOAT32, 3));
    assertEquals("Rprop: invalid learning rate: -0.1", error(() -> new Rprop(ps, -0.1)));
    // 0 < etaminus < 1 < etaplus
    assertEquals("Rprop: invalid eta values: 0.5, 1.0", error(() -> new Rprop(ps, Map.of("etas", List.of(0.5, 1.0)))));
    assertEquals("Rprop: invalid eta values: 0.0, 1.2", error(() -> new Rprop(ps, Map.of("etas", new double[] {0, 1.2}))));
    assertEquals("Rprop: invalid eta values: 1.0, 1.2", error(() -> new Rprop(ps, Map.of("etas", List.of(1.0, 1.2)))));
    assertEquals("Rprop: invalid eta values: NaN, 1.2", error(() -> new Rprop(ps, Map.of("etas", List.of(Double.NaN, 1.2)))));
    assertEquals("Rprop: invalid eta values: 0.5, 0.9",
        error(() -> new Rprop(List.of(new ParamGroup(ps, Map.of("etas", List.of(0.5, 0.9)))), Map.of())));
    assertTrue(error(() -> new Rprop(ps, Map.of("step_sizes", List.of(1e-6)))).contains("'step_sizes' must be a pair"));
    assertTrue(error(() -> new Rprop(ps, Map.of("betas", List.of(0.9, 0.99)))).startsWith("Rprop: unknown option 'betas'"));
    assertDoesNotThrow(() -> new Rprop(ps, Map.of("step_sizes", List.of(2.0, 1.0)))); // as in PyTorch, not checked
  }

  @Test
  void keepsPyTorchsStateNames() {
    Tensor p = param(2, DType.FLOAT64, 2, 3);
    Rprop opt = new Rprop(List.of(p), 0.25);
    assertNull(stateOf(opt, 0), "no state before the first step");
    double[] before = p.toDoubleArray();
    Tensor g = gradient(1, p);
    p.setGrad(g);
    opt.step();
    double[] gv = g.toDoubleArray(), after = p.toDoubleArray();
    for (int i = 0; i < gv.length; i++) assertEquals(before[i] - 0.25 * Math.signum(gv[i]), after[i], 0, "element " + i);
    Map<?, ?> s = stateOf(opt, 0);
    assertEquals(List.of("step", "prev", "step_size"), List.copyOf(s.keySet()));
    assertEquals(1.0, s.get("step"));
    // prev was 0, so every factor was 1: the parameter moved by lr against the gradient's sign.
    assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25, 0.25, 0.25}, ((Tensor) s.get("step_size")).toDoubleArray());
    assertEquals(DType.FLOAT64, ((Tensor) s.get("step_size")).dtype());
    assertArrayEquals(g.toDoubleArray(), ((Tensor) s.get("prev")).toDoubleArray());
  }

  @Test
  void resumesFromItsStateDictExactly() {
    Map<String, Object> options = Map.of("lr", 0.05, "etas", List.of(0.4, 1.3), "step_sizes", List.of(1e-3, 0.1));
    Tensor straight = param(3, DType.FLOAT32, 4, 3), first = straight.detach().clone().requiresGrad(true);
    Rprop straightOpt = new Rprop(List.of(straight), options), firstOpt = new Rprop(List.of(first), options);
    for (int t = 1; t <= 3; t++) {
      straight.setGrad(gradient(t, straight));
      straightOpt.step();
      first.setGrad(gradient(t, first));
      firstOpt.step();
    }
    Tensor resumed = first.detach().clone().requiresGrad(true);
    Rprop resumedOpt = new Rprop(List.of(resumed));
    resumedOpt.loadStateDict(firstOpt.stateDict());
    firstOpt.close(); // the loaded state is a copy
    for (int t = 4; t <= 6; t++) {
      straight.setGrad(gradient(t, straight));
      straightOpt.step();
      resumed.setGrad(gradient(t, resumed));
      resumedOpt.step();
    }
    assertArrayEquals(straight.toFloatArray(), resumed.toFloatArray(), 0f);
    Map<?, ?> a = stateOf(straightOpt, 0), b = stateOf(resumedOpt, 0);
    for (String key : List.of("prev", "step_size"))
      assertArrayEquals(((Tensor) a.get(key)).toFloatArray(), ((Tensor) b.get(key)).toFloatArray(), 0f, key);
    assertEquals(6.0, b.get("step"));
  }

  @Test
  void takesEmptyAndNonContiguousParameters() {
    Tensor empty = Tensor.zeros(DType.FLOAT64, 3, 0).requiresGrad(true);
    empty.setGrad(Tensor.zeros(DType.FLOAT64, 3, 0));
    Rprop emptyOpt = new Rprop(List.of(empty));
    emptyOpt.step();
    assertArrayEquals(new long[] {3, 0}, ((Tensor) stateOf(emptyOpt, 0).get("step_size")).shape());

    // A transposed parameter and gradient take the strided loop; a contiguous copy the vectorised one: same bits.
    Map<String, Object> options = Map.of("lr", 0.05, "maximize", true);
    Tensor strided = Tensor.randn(new Generator(4), DType.FLOAT32, 19, 7).transpose(0, 1).requiresGrad(true);
    Tensor dense = strided.detach().contiguous().requiresGrad(true);
    assertFalse(strided.isContiguous());
    Rprop stridedOpt = new Rprop(List.of(strided), options), denseOpt = new Rprop(List.of(dense), options);
    for (int t = 1; t <= 4; t++) {
      Tensor g = Tensor.randn(new Generator(200 + t), DType.FLOAT32, 19, 7).transpose(0, 1);
      strided.setGrad(g);
      stridedOpt.step();
      dense.setGrad(g.contiguous());
      denseOpt.step();
    }
    assertArrayEquals(dense.toFloatArray(), strided.toFloatArray(), 0f);
    for (String key : List.of("prev", "step_size"))
      assertArrayEquals(((Tensor) stateOf(denseOpt, 0).get(key)).toFloatArray(),
          ((Tensor) stateOf(stridedOpt, 0).get(key)).toFloatArray(), 0f, key);
  }
}
