package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import dev.kiln.io.Checkpoint;
import dev.kiln.nn.Linear;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LBFGS beyond its PyTorch trajectories (OptimizerParityTest): argument errors and resuming from a checkpoint. */
class LBFGSTest {
  private static final Tensor X = Tensor.of(new float[] {1, 2, -1, 0.5f, 3, -2, 0, 1}, 4, 2);
  private static final Tensor Y = Tensor.of(new float[] {1, -1, 2, 0.5f}, 4, 1);

  private static Supplier<Tensor> closure(Linear model, Optimizer opt) {
    return () -> {
      opt.zeroGrad();
      Tensor loss = model.call(X).sub(Y).pow(2).mean().add(model.weight.pow(4).sum());
      loss.backward();
      return loss;
    };
  }

  private static Linear model() {
    Linear m = new Linear(2, 1);
    m.weight.setData(Tensor.of(new float[] {0.3f, -0.7f}, 1, 2));
    m.bias.setData(Tensor.of(new float[] {0.1f}, 1));
    return m;
  }

  @Test
  void refusesWhatItCannotDo() {
    Linear m = model();
    assertThrows(UnsupportedOperationException.class, () -> new LBFGS(m.parameters()).step());
    assertThrows(IllegalArgumentException.class, () -> new LBFGS(m.parameters(), Map.of("line_search_fn", "backtracking")));
    assertThrows(IllegalArgumentException.class, () -> new LBFGS(m.parameters(), Map.of("momentum", 0.9)));
    assertEquals(25.0, new LBFGS(m.parameters()).paramGroups().get(0).getDouble("max_eval"));
  }

  @Test
  void stopsAtAStationaryPoint() {
    Linear m = model();
    LBFGS opt = new LBFGS(m.parameters(), Map.of("line_search_fn", "strong_wolfe"));
    double first = opt.step(closure(m, opt)).item();
    double second = opt.step(closure(m, opt)).item();
    assertTrue(second < first, second + " < " + first);
    Tensor before = m.weight.clone();
    opt.step(closure(m, opt));
    // At the minimum the gradient is below tolerance_grad or the steps below tolerance_change.
    assertArrayEquals(before.toFloatArray(), m.weight.toFloatArray(), 1e-6f);
  }

  @Test
  void resumesFromACheckpointExactly(@TempDir Path dir) throws Exception {
    Linear straight = model();
    LBFGS opt = new LBFGS(straight.parameters(), Map.of("max_iter", 3.0, "history_size", 4.0));
    for (int i = 0; i < 3; i++) opt.step(closure(straight, opt));

    Linear first = model();
    LBFGS opt1 = new LBFGS(first.parameters(), Map.of("max_iter", 3.0, "history_size", 4.0));
    opt1.step(closure(first, opt1));
    Path file = dir.resolve("lbfgs.safetensors");
    Checkpoint.save(file, first, opt1, null, 1);
    assertTrue(Files.size(file) > 0);

    Linear resumed = new Linear(2, 1);
    LBFGS opt2 = new LBFGS(resumed.parameters(), Map.of("max_iter", 3.0, "history_size", 4.0));
    assertEquals(1, Checkpoint.load(file, resumed, opt2, null));
    assertEquals(((List<?>) opt1.stateDict().get("param_groups")).size(), 1);
    for (int i = 0; i < 2; i++) opt2.step(closure(resumed, opt2));
    assertArrayEquals(straight.weight.toFloatArray(), resumed.weight.toFloatArray(), 0f);
    assertArrayEquals(straight.bias.toFloatArray(), resumed.bias.toFloatArray(), 0f);
  }
}
