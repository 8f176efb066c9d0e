package dev.kiln.nn.utils;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hook-based weight_norm of PyTorch 1.13 (values against PyTorch: ParametrizeParityTest). */
class WeightNormTest {
  @Test
  void weightBecomesMagnitudeAndDirectionRecomputedBeforeEachForward() {
    Linear m = new Linear(4, 3);
    Tensor w = m.weight.clone();
    assertSame(m, WeightNorm.weightNorm(m));
    assertEquals(List.of("bias", "weight_g", "weight_v"), List.copyOf(m.namedParameters().keySet()));
    assertEquals(List.of("bias", "weight_g", "weight_v"), List.copyOf(m.stateDict().keySet()));
    assertArrayEquals(new long[] {3, 1}, m.tensor("weight_g").shape());
    assertEquals("Linear(in_features=4, out_features=3, bias=True)", m.toString(), "prints as before");
    ParametrizeTest.assertClose(w, m.tensor("weight"), 1e-6);
    // training g and v moves the weight the next forward reads
    SGD opt = new SGD(m.parameters(), 0.5);
    Tensor x = Tensor.randn(2, 4);
    m.call(x).sum().backward();
    opt.step();
    Tensor g = m.tensor("weight_g"), v = m.tensor("weight_v");
    Tensor expected = v.mul(g.div(v.norm(2, new int[] {1}, true)));
    assertFalse(expected.sub(w).abs().max().item() < 1e-6, "the step changed the weight");
    ParametrizeTest.assertClose(x.matmul(expected.t()).add(m.bias), m.call(x), 1e-5);
    ParametrizeTest.assertClose(expected, m.tensor("weight"), 1e-6);

    IllegalStateException twice = assertThrows(IllegalStateException.class, () -> WeightNorm.weightNorm(m));
    assertEquals("Cannot register two weight_norm hooks on the same parameter weight", twice.getMessage());

    WeightNorm.removeWeightNorm(m);
    assertSame(m.weight, m.tensor("weight"), "the layer's own tensor is its weight again");
    ParametrizeTest.assertClose(expected, m.weight, 1e-6);
    assertEquals(List.of("bias", "weight"), List.copyOf(m.namedParameters().keySet()));
    assertTrue(m.forwardPreHooks().isEmpty());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> WeightNorm.removeWeightNorm(m));
    assertEquals("weight_norm of 'weight' not found in Linear(in_features=4, out_features=3, bias=True)", missing.getMessage());
    IllegalArgumentException foo = assertThrows(IllegalArgumentException.class, () -> WeightNorm.weightNorm(m, "foo", 0));
    assertEquals("'Linear' object has no attribute 'foo'", foo.getMessage());
  }

  @Test
  void dimNoneNormsTheWholeTensor() {
    Linear m = WeightNorm.weightNorm(new Linear(4, 3), "weight", null);
    assertEquals(0, m.tensor("weight_g").dim());
    assertEquals(m.tensor("weight_v").norm().item(), m.tensor("weight_g").item(), 1e-6);
  }
}
