package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import dev.kiln.examples.tutorials.CustomOptimizer.Run;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected values: PyTorch 1.13, the same Lion as a torch.optim.Optimizer (tools/tutorials/custom_optimizer.py). */
class TutorialCustomOptimizerTest {
  @Test
  void lionFollowsPyTorch() {
    Run r = CustomOptimizer.run(200);
    double[] l = r.losses();
    assertEquals(7.3808594, l[0], 1e-5);
    assertEquals(7.0685301, l[1], 1e-5);
    assertEquals(4.5717773, l[10], 1e-5);
    assertEquals(0.71835834, l[100], 1e-5);
    assertEquals(0.0034910666, l[199], 1e-6);
    assertEquals(2.9999983, r.weight(), 1e-5);
    assertEquals(-1.9999993, r.bias(), 1e-5);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theMomentumIsInTheStateDict() {
    Map<String, Object> state = (Map<String, Object>) CustomOptimizer.run(200).state().get("state");
    Tensor weightMomentum = (Tensor) ((Map<String, Object>) state.get("0")).get("exp_avg");
    Tensor biasMomentum = (Tensor) ((Map<String, Object>) state.get("1")).get("exp_avg");
    assertEquals(0.00022268597967922688, weightMomentum.item(), 1e-6);
    assertEquals(-0.0003164566878695041, biasMomentum.item(), 1e-6);
  }

  @Test
  void unknownOptionsAreRefused() {
    Tensor p = Tensor.zeros(2).requiresGrad(true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CustomOptimizer.Lion(java.util.List.of(p), Map.of("momentum", 0.9)));
    assertTrue(e.getMessage().contains("unknown option 'momentum'"), e.getMessage());
  }
}
