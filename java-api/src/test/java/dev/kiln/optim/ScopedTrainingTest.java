package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.nn.Linear;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The usual loop, each step in a TensorScope: parameters and optimizer state outlive the scopes that made them. */
class ScopedTrainingTest {
  @Test
  void modelAndOptimizerStateSurviveTheStepScopes() {
    Linear model;
    try (TensorScope build = TensorScope.open()) {
      model = new Linear(3, 2);
    }
    Optimizer opt = new Adam(model.parameters(), Map.of("lr", 0.1));
    Tensor x = Tensor.of(new float[] {1, 2, 3, -1, 0, 1}, 2, 3);
    double first = 0, last = 0;
    for (int step = 0; step < 20; step++) {
      try (TensorScope scope = TensorScope.open()) {
        opt.zeroGrad();
        Tensor loss = model.call(x).pow(2).sum();
        loss.backward();
        opt.step(); // creates exp_avg and exp_avg_sq inside this scope on the first step
        if (step == 0) first = loss.item();
        last = loss.item();
      }
    }
    assertTrue(last < first / 10, "loss " + first + " -> " + last);
    Tensor expAvg = (Tensor) ((Map<?, ?>) ((Map<?, ?>) opt.stateDict().get("state")).get("0")).get("exp_avg");
    assertEquals(6, expAvg.numel());
  }
}
