package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.Tensor;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import dev.kiln.optim.scheduler.CosineAnnealingLR;
import dev.kiln.optim.scheduler.CosineAnnealingWarmRestarts;
import dev.kiln.optim.scheduler.ExponentialLR;
import dev.kiln.optim.scheduler.LRScheduler;
import dev.kiln.optim.scheduler.LambdaLR;
import dev.kiln.optim.scheduler.LinearLR;
import dev.kiln.optim.scheduler.MultiStepLR;
import dev.kiln.optim.scheduler.OneCycleLR;
import dev.kiln.optim.scheduler.ReduceLROnPlateau;
import dev.kiln.optim.scheduler.SequentialLR;
import dev.kiln.optim.scheduler.StepLR;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Each scheduler sets the learning rates PyTorch sets, step for step (schedulers.json). */
class SchedulerParityTest {
  @TestFactory
  Stream<DynamicTest> schedules() throws Exception {
    JsonObject root;
    try (Reader r = new InputStreamReader(SchedulerParityTest.class.getResourceAsStream("/fixtures/schedulers.json"), StandardCharsets.UTF_8)) {
      root = JsonParser.parseReader(r).getAsJsonObject();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : root.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> replay(c)));
    }
    return tests.stream();
  }

  /** A scheduler's step, whatever its class. */
  interface Stepper {
    void step(int i);
  }

  private static void replay(JsonObject c) {
    Optimizer opt = optimizer(c.get("optimizer").getAsString(), c.get("groups").getAsInt());
    JsonObject a = c.getAsJsonObject("args");
    Stepper stepper = scheduler(c.get("scheduler").getAsString(), a, opt, c.has("metrics") ? c.getAsJsonArray("metrics") : null);
    JsonArray lrs = c.getAsJsonArray("lrs");
    JsonArray momenta = c.has("momenta") ? c.getAsJsonArray("momenta") : null;
    for (int i = 0; i < lrs.size(); i++) {
      if (i > 0) stepper.step(i - 1);
      JsonArray want = lrs.get(i).getAsJsonArray();
      for (int g = 0; g < want.size(); g++) {
        ParamGroup group = opt.paramGroups().get(g);
        assertEquals(want.get(g).getAsDouble(), group.lr(), 1e-12 * Math.abs(want.get(g).getAsDouble()), "lr of group " + g + " at step " + i);
        if (momenta != null) {
          double m = group.options().containsKey("betas") ? group.getPair("betas")[0] : group.getDouble("momentum");
          assertEquals(momenta.get(i).getAsJsonArray().get(g).getAsDouble(), m, 1e-12, "momentum of group " + g + " at step " + i);
        }
      }
    }
  }

  private static Optimizer optimizer(String kind, int groups) {
    List<ParamGroup> g = new ArrayList<>();
    g.add(new ParamGroup(List.of(Tensor.zeros(2).requiresGrad(true))));
    if (groups == 2) g.add(new ParamGroup(List.of(Tensor.zeros(2).requiresGrad(true)), Map.of("lr", 0.05)));
    return kind.equals("SGD") ? new SGD(g, Map.of("lr", 0.1, "momentum", 0.9)) : new Adam(g, Map.of("lr", 0.01));
  }

  private static double num(JsonObject a, String key, double fallback) {
    return a.has(key) ? a.get(key).getAsDouble() : fallback;
  }

  private static int integer(JsonObject a, String key, int fallback) {
    return a.has(key) ? a.get(key).getAsInt() : fallback;
  }

  private static Stepper of(LRScheduler s) {
    return i -> s.step();
  }

  private static Stepper scheduler(String name, JsonObject a, Optimizer opt, JsonArray metrics) {
    return switch (name) {
      case "StepLR" -> of(new StepLR(opt, a.get("step_size").getAsInt(), num(a, "gamma", 0.1)));
      case "MultiStepLR" -> {
        JsonArray m = a.getAsJsonArray("milestones");
        int[] ms = new int[m.size()];
        for (int i = 0; i < ms.length; i++) ms[i] = m.get(i).getAsInt();
        yield of(new MultiStepLR(opt, ms, num(a, "gamma", 0.1)));
      }
      case "ExponentialLR" -> of(new ExponentialLR(opt, a.get("gamma").getAsDouble()));
      case "CosineAnnealingLR" -> of(new CosineAnnealingLR(opt, a.get("T_max").getAsInt(), num(a, "eta_min", 0)));
      case "CosineAnnealingWarmRestarts" -> of(new CosineAnnealingWarmRestarts(opt, a.get("T_0").getAsInt(),
          integer(a, "T_mult", 1), num(a, "eta_min", 0)));
      case "LinearLR" -> of(a.has("start_factor")
          ? new LinearLR(opt, a.get("start_factor").getAsDouble(), a.get("end_factor").getAsDouble(), a.get("total_iters").getAsInt())
          : new LinearLR(opt));
      case "LambdaLR" -> of(new LambdaLR(opt, epoch -> Math.pow(0.95, epoch)));
      case "OneCycleLR" -> {
        OneCycleLR.Options o = OneCycleLR.Options.defaults();
        if (a.has("three_phase")) o = o.withThreePhase(a.get("three_phase").getAsBoolean());
        if (a.has("anneal_strategy")) o = o.withAnnealStrategy(a.get("anneal_strategy").getAsString());
        if (a.has("pct_start")) o = o.withPctStart(a.get("pct_start").getAsDouble());
        yield of(new OneCycleLR(opt, a.get("max_lr").getAsDouble(), a.get("total_steps").getAsInt(), o));
      }
      case "ReduceLROnPlateau" -> {
        ReduceLROnPlateau p = new ReduceLROnPlateau(opt, a.has("mode") ? a.get("mode").getAsString() : "min",
            num(a, "factor", 0.1), integer(a, "patience", 10), num(a, "threshold", 1e-4),
            a.has("threshold_mode") ? a.get("threshold_mode").getAsString() : "rel", integer(a, "cooldown", 0),
            num(a, "min_lr", 0), 1e-8);
        yield i -> p.step(metrics.get(i).getAsDouble());
      }
      case "SequentialLR" -> {
        SequentialLR s = new SequentialLR(opt, List.of(new LinearLR(opt, 0.1, 1.0, 3), new ExponentialLR(opt, 0.9)), new int[] {3});
        yield i -> s.step();
      }
      default -> throw new IllegalArgumentException("no Java scheduler for " + name);
    };
  }
}
