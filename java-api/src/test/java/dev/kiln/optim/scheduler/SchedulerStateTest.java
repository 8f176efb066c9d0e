package dev.kiln.optim.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.kiln.Tensor;
import dev.kiln.io.Checkpoint;
import dev.kiln.nn.Linear;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import dev.kiln.optim.swa.SWALR;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MultiplicativeLR, ConstantLR, PolynomialLR, ChainedScheduler, CyclicLR and SWALR beyond their PyTorch schedules
 * (SchedulerParityTest): the errors PyTorch raises, and state dicts that resume a schedule mid-way; likewise
 * CosineAnnealingWarmRestarts mid-cycle, SequentialLR and ReduceLROnPlateau through a Checkpoint.
 */
class SchedulerStateTest {
  private static SGD sgd() {
    List<ParamGroup> groups = List.of(new ParamGroup(List.of(Tensor.zeros(2).requiresGrad(true))),
        new ParamGroup(List.of(Tensor.zeros(2).requiresGrad(true)), Map.of("lr", 0.05)));
    return new SGD(groups, Map.of("lr", 0.1, "momentum", 0.9));
  }

  private static double[] lrs(Optimizer opt) {
    return opt.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray();
  }

  private static double[] momenta(Optimizer opt) {
    return opt.paramGroups().stream().mapToDouble(g -> g.getDouble("momentum")).toArray();
  }

  /** A scheduler's state through JSON, as Checkpoint keeps it: numbers come back as Double, arrays as lists. */
  private static Map<String, Object> throughJson(Map<String, Object> state) {
    Gson gson = new Gson();
    return gson.fromJson(gson.toJson(state), new TypeToken<Map<String, Object>>() {}.getType());
  }

  /**
   * Steps a scheduler 5 times, saves it and its optimizer, loads both into fresh ones (made with other settings
   * where make gives them) and checks that the two go on alike for 8 more steps, momentum included.
   */
  private static void resumes(Function<Optimizer, LRScheduler> make, Function<Optimizer, LRScheduler> makeOther) {
    SGD opt = sgd();
    LRScheduler s = make.apply(opt);
    for (int i = 0; i < 5; i++) s.step();
    SGD resumedOpt = sgd();
    LRScheduler resumed = makeOther.apply(resumedOpt);
    resumedOpt.loadStateDict(opt.stateDict());
    resumed.loadStateDict(throughJson(s.stateDict()));
    assertEquals(s.lastEpoch(), resumed.lastEpoch());
    assertArrayEquals(s.getLastLr(), resumed.getLastLr());
    for (int i = 0; i < 8; i++) {
      s.step();
      resumed.step();
      assertArrayEquals(lrs(opt), lrs(resumedOpt), "lrs " + (i + 1) + " steps after resuming");
      assertArrayEquals(momenta(opt), momenta(resumedOpt), "momenta " + (i + 1) + " steps after resuming");
    }
  }

  @Test
  void resumeMidSchedule() {
    resumes(o -> new MultiplicativeLR(o, e -> 1.0 - 0.01 * e), o -> new MultiplicativeLR(o, e -> 1.0 - 0.01 * e));
    // The saved settings win, as PyTorch's load_state_dict updates __dict__.
    resumes(o -> new ConstantLR(o, 0.5, 7), o -> new ConstantLR(o, 0.25, 2));
    resumes(o -> new PolynomialLR(o, 9, 2.0), o -> new PolynomialLR(o, 3, 1.0));
    CyclicLR.Options triangular2 = CyclicLR.Options.defaults().withStepSizeUp(2).withStepSizeDown(3).withMode("triangular2");
    resumes(o -> new CyclicLR(o, 0.01, 0.1, triangular2), o -> new CyclicLR(o, 0.02, 0.3, triangular2.withMode("exp_range")));
    CyclicLR.Options expRange = CyclicLR.Options.defaults().withStepSizeUp(3).withMode("exp_range").withGamma(0.9)
        .withBaseMomentums(new double[] {0.7, 0.8});
    resumes(o -> new CyclicLR(o, new double[] {0.01, 0.02}, new double[] {0.1, 0.05}, expRange),
        o -> new CyclicLR(o, 0.5, 0.6, CyclicLR.Options.defaults()));
    // SWALR counts its steps: the count comes back with the state.
    resumes(o -> new SWALR(o, 0.02, 8, "cos"), o -> new SWALR(o, 0.02, 3, "cos"));
  }

  @Test
  void stateDictsHavePyTorchsEntries() {
    SGD opt = sgd();
    assertEquals(List.of("last_epoch", "_step_count", "base_lrs", "_last_lr", "factor", "total_iters"),
        new ArrayList<>(new ConstantLR(opt, 0.5, 3).stateDict().keySet()));
    Map<String, Object> cyclic = new CyclicLR(sgd(), 0.01, 0.1).stateDict();
    for (String key : List.of("max_lrs", "total_size", "step_ratio", "mode", "gamma", "scale_mode", "cycle_momentum",
        "base_momentums", "max_momentums"))
      assertTrue(cyclic.containsKey(key), key);
    assertEquals(4000.0, cyclic.get("total_size"));
    assertEquals("cycle", cyclic.get("scale_mode"));
    assertEquals("iterations", new CyclicLR(sgd(), 0.01, 0.1, CyclicLR.Options.defaults().withMode("exp_range")).stateDict().get("scale_mode"));
  }

  @Test
  void chainedResumesEachScheduler() {
    SGD opt = sgd();
    ChainedScheduler chain = new ChainedScheduler(List.of(new ConstantLR(opt, 0.1, 3), new ExponentialLR(opt, 0.9)));
    for (int i = 0; i < 2; i++) chain.step();
    Map<String, Object> state = chain.stateDict();
    assertEquals(List.of("_last_lr", "_schedulers"), new ArrayList<>(state.keySet()));
    SGD resumedOpt = sgd();
    ChainedScheduler resumed = new ChainedScheduler(List.of(new ConstantLR(resumedOpt, 0.1, 3), new ExponentialLR(resumedOpt, 0.9)));
    resumedOpt.loadStateDict(opt.stateDict());
    resumed.loadStateDict(throughJson(state));
    assertArrayEquals(chain.getLastLr(), resumed.getLastLr());
    for (int i = 0; i < 4; i++) {
      chain.step();
      resumed.step();
      assertArrayEquals(lrs(opt), lrs(resumedOpt), "step " + i);
      assertArrayEquals(lrs(opt), chain.getLastLr());
    }
    assertThrows(IllegalArgumentException.class, () -> resumed.loadStateDict(Map.of("_last_lr", new double[] {0.1, 0.1},
        "_schedulers", List.of(Map.of()))));
  }

  @Test
  void cyclicResumesFromACheckpoint(@TempDir Path dir) throws Exception {
    Linear model = new Linear(2, 1);
    SGD opt = new SGD(model.parameters(), Map.of("lr", 0.1, "momentum", 0.9));
    CyclicLR.Options o = CyclicLR.Options.defaults().withStepSizeUp(3).withMode("triangular2");
    CyclicLR s = new CyclicLR(opt, 0.01, 0.1, o);
    for (int i = 0; i < 7; i++) s.step();
    Path file = dir.resolve("ckpt.safetensors");
    Checkpoint.save(file, model, opt, s, 7);
    SGD opt2 = new SGD(model.parameters(), Map.of("lr", 0.1, "momentum", 0.9));
    CyclicLR s2 = new CyclicLR(opt2, 0.01, 0.1, o);
    assertEquals(7, Checkpoint.load(file, model, opt2, s2));
    for (int i = 0; i < 6; i++) {
      s.step();
      s2.step();
      assertEquals(opt.paramGroups().get(0).lr(), opt2.paramGroups().get(0).lr(), 0.0);
      assertEquals(opt.paramGroups().get(0).getDouble("momentum"), opt2.paramGroups().get(0).getDouble("momentum"), 0.0);
    }
  }

  @Test
  void errorsPyTorchRaisesMidSchedule() {
    // ConstantLR's factor 0 is allowed, but restoring the rate divides by it (Python's ZeroDivisionError).
    ConstantLR zero = new ConstantLR(sgd(), 0.0, 2);
    zero.step();
    ArithmeticException e = assertThrows(ArithmeticException.class, zero::step);
    assertEquals("float division by zero", e.getMessage());
    // PolynomialLR over 0 iterations: the chainable form holds the rate, the closed form divides by 0.
    PolynomialLR none = new PolynomialLR(sgd(), 0, 1.0);
    none.step();
    assertArrayEquals(new double[] {0.1, 0.05}, none.getLastLr());
    assertThrows(ArithmeticException.class, () -> none.step(3));
  }

  @Test
  void chainedSchedulerChecksItsSchedulers() {
    SGD a = sgd(), b = sgd();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ChainedScheduler(List.of(new ConstantLR(a), new ExponentialLR(a, 0.9), new ExponentialLR(b, 0.9))));
    assertEquals("ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 "
        + "and 2 to be different", e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> new ChainedScheduler(List.of()));
  }

  @Test
  void cyclicMomentumNeedsAMomentumOption() {
    Adam adam = new Adam(List.of(Tensor.zeros(2).requiresGrad(true)), Map.of("lr", 0.01));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CyclicLR(adam, 0.001, 0.01));
    assertEquals("optimizer must support momentum with `cycle_momentum` option enabled", e.getMessage());
    // Without momentum cycling Adam's betas stay as they are.
    new CyclicLR(adam, 0.001, 0.01, CyclicLR.Options.defaults().withCycleMomentum(false).withStepSizeUp(2)).step();
    assertArrayEquals(new double[] {0.9, 0.999}, adam.paramGroups().get(0).getPair("betas"));
    assertEquals(0.0055, adam.paramGroups().get(0).lr(), 1e-15);
  }

  @Test
  void cyclicTakesItsFirstRateFromAnEarlierInitialLr() {
    // As PyTorch: the first step uses the groups' initial_lr (set by an earlier scheduler), later ones base_lr.
    SGD opt = sgd();
    new ExponentialLR(opt, 0.5);
    CyclicLR s = new CyclicLR(opt, 0.01, 0.11, CyclicLR.Options.defaults().withStepSizeUp(2).withCycleMomentum(false));
    assertArrayEquals(new double[] {0.1, 0.05}, s.getLastLr());
    s.step();
    assertArrayEquals(new double[] {0.06, 0.06}, s.getLastLr(), 1e-15);
  }

  @Test
  void swalrKeepsItsTargetInTheGroups() {
    SGD opt = sgd();
    new SWALR(opt, new double[] {0.02, 0.01}, 2, "linear");
    assertEquals(0.02, opt.paramGroups().get(0).getDouble("swa_lr"));
    assertEquals(0.01, opt.paramGroups().get(1).getDouble("swa_lr"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SWALR(sgd(), 0.05, 10, "step"));
    assertEquals("anneal_strategy must by one of 'cos' or 'linear', instead got step", e.getMessage());
  }

  @Test
  void warmRestartsResumeMidCycle() {
    // 5 steps of periods 3, 6, ...: mid second cycle; T_cur and T_i must come back with the base state
    resumes(o -> new CosineAnnealingWarmRestarts(o, 3, 2, 0.001), o -> new CosineAnnealingWarmRestarts(o, 3, 2, 0.001));
    resumes(o -> new CosineAnnealingWarmRestarts(o, 2, 1, 0), o -> new CosineAnnealingWarmRestarts(o, 4, 1, 0.01));
  }

  @Test
  void sequentialLrResumesThroughACheckpoint(@TempDir Path dir) throws Exception {
    Function<SGD, SequentialLR> make = o -> new SequentialLR(o, List.of(new LinearLR(o, 0.1, 1.0, 3),
        new CosineAnnealingWarmRestarts(o, 3, 2, 0.001)), new int[] {3});
    Linear model = new Linear(2, 2);
    SGD opt = sgd();
    SequentialLR s = make.apply(opt);
    for (int i = 0; i < 5; i++) s.step();
    Path file = dir.resolve("sequential.safetensors");
    Checkpoint.save(file, model, opt, s, 5);
    SGD resumedOpt = sgd();
    SequentialLR resumed = make.apply(resumedOpt);
    assertEquals(5, Checkpoint.load(file, new Linear(2, 2), resumedOpt, resumed));
    assertArrayEquals(s.getLastLr(), resumed.getLastLr());
    for (int i = 0; i < 8; i++) {
      s.step();
      resumed.step();
      assertArrayEquals(lrs(opt), lrs(resumedOpt), "lrs " + (i + 1) + " steps after resuming");
    }
    assertThrows(IllegalArgumentException.class, () -> new SequentialLR(sgd(), List.of(new StepLR(opt, 2, 0.5)), new int[0])
        .loadStateDict(s.stateDict()));
  }

  @Test
  void plateauResumesThroughACheckpoint(@TempDir Path dir) throws Exception {
    // best starts at +inf: the checkpoint's JSON must carry it
    Linear model = new Linear(2, 2);
    SGD opt = sgd();
    ReduceLROnPlateau s = new ReduceLROnPlateau(opt, "min", 0.5, 1, 1e-4, "rel", 1, 0.001, 1e-8);
    Path fresh = dir.resolve("fresh.safetensors");
    Checkpoint.save(fresh, model, opt, s, 0);
    double[] metrics = {1.0, 0.9, 0.95, 0.97, 0.99, 0.85, 0.9, 0.92, 0.93, 0.94, 0.95, 0.96};
    for (int i = 0; i < 4; i++) s.step(metrics[i]);
    Path file = dir.resolve("plateau.safetensors");
    Checkpoint.save(file, model, opt, s, 4);
    SGD resumedOpt = sgd();
    ReduceLROnPlateau resumed = new ReduceLROnPlateau(resumedOpt);
    Checkpoint.load(file, new Linear(2, 2), resumedOpt, resumed);
    for (int i = 4; i < metrics.length; i++) {
      s.step(metrics[i]);
      resumed.step(metrics[i]);
      assertArrayEquals(lrs(opt), lrs(resumedOpt), "lrs at metric " + i);
    }
    assertTrue(lrs(opt)[0] < 0.1, "the schedule reduced the rate");
    ReduceLROnPlateau reloaded = new ReduceLROnPlateau(sgd());
    Checkpoint.load(fresh, new Linear(2, 2), sgd(), reloaded);
    assertEquals(Double.POSITIVE_INFINITY, reloaded.stateDict().get("best"));
  }
}
