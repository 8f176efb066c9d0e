package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.Tensor;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import dev.kiln.optim.scheduler.ChainedScheduler;
import dev.kiln.optim.scheduler.ConstantLR;
import dev.kiln.optim.scheduler.CosineAnnealingLR;
import dev.kiln.optim.scheduler.CosineAnnealingWarmRestarts;
import dev.kiln.optim.scheduler.CyclicLR;
import dev.kiln.optim.scheduler.ExponentialLR;
import dev.kiln.optim.scheduler.LRScheduler;
import dev.kiln.optim.scheduler.LambdaLR;
import dev.kiln.optim.scheduler.LinearLR;
import dev.kiln.optim.scheduler.MultiStepLR;
import dev.kiln.optim.scheduler.MultiplicativeLR;
import dev.kiln.optim.scheduler.OneCycleLR;
import dev.kiln.optim.scheduler.PolynomialLR;
import dev.kiln.optim.scheduler.ReduceLROnPlateau;
import dev.kiln.optim.scheduler.SequentialLR;
import dev.kiln.optim.scheduler.StepLR;
import dev.kiln.optim.swa.SWALR;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;
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
    String name = c.get("scheduler").getAsString();
    JsonArray epochs = c.has("epochs") ? c.getAsJsonArray("epochs") : null;
    if (c.has("error")) {
      JsonObject error = c.getAsJsonObject("error");
      Class<? extends RuntimeException> type = switch (error.get("type").getAsString()) {
        case "ValueError" -> IllegalArgumentException.class;
        case "ZeroDivisionError" -> ArithmeticException.class;
        default -> throw new IllegalArgumentException("no Java exception for " + error.get("type"));
      };
      RuntimeException e = assertThrows(type, () -> scheduler(name, a, opt, null, null), "PyTorch refused it");
      assertEquals(error.get("message").getAsString(), e.getMessage());
      return;
    }
    Stepper stepper = scheduler(name, a, opt, c.has("metrics") ? c.getAsJsonArray("metrics") : null, epochs);
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

  private static Stepper scheduler(String name, JsonObject a, Optimizer opt, JsonArray metrics, JsonArray epochs) {
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
        List<LRScheduler> parts = switch (string(a, "schedulers", "LinearLR(0.1, 1.0, 3), ExponentialLR(0.9)")) {
          case "LinearLR(0.1, 1.0, 3), ExponentialLR(0.9)" -> List.of(new LinearLR(opt, 0.1, 1.0, 3), new ExponentialLR(opt, 0.9));
          case "ConstantLR(0.1, 4), PolynomialLR(6, 2.0)" -> List.of(new ConstantLR(opt, 0.1, 4), new PolynomialLR(opt, 6, 2.0));
          case "CosineAnnealingLR(6), SWALR(0.01, 3)" -> List.of(new CosineAnnealingLR(opt, 6, 0), new SWALR(opt, 0.01, 3, "cos"));
          default -> throw new IllegalArgumentException("no sequence " + a.get("schedulers"));
        };
        SequentialLR s = new SequentialLR(opt, parts, new int[] {a.getAsJsonArray("milestones").get(0).getAsInt()});
        yield i -> s.step();
      }
      case "ChainedScheduler" -> {
        ChainedScheduler s = new ChainedScheduler(switch (a.get("schedulers").getAsString()) {
          case "ConstantLR(0.1, 2), ExponentialLR(0.9)" -> List.of(new ConstantLR(opt, 0.1, 2), new ExponentialLR(opt, 0.9));
          case "ConstantLR(0.5, 3), PolynomialLR(5, 2.0), MultiplicativeLR(0.95)" ->
              List.of(new ConstantLR(opt, 0.5, 3), new PolynomialLR(opt, 5, 2.0), new MultiplicativeLR(opt, function("0.95")));
          default -> throw new IllegalArgumentException("no chain " + a.get("schedulers"));
        });
        yield i -> s.step();
      }
      case "SWALR" -> {
        SWALR swa = a.get("swa_lr").isJsonArray()
            ? new SWALR(opt, doubles(a.get("swa_lr")), integer(a, "anneal_epochs", 10), string(a, "anneal_strategy", "cos"))
            : new SWALR(opt, a.get("swa_lr").getAsDouble(), integer(a, "anneal_epochs", 10), string(a, "anneal_strategy", "cos"));
        if (!a.has("after")) yield of(swa, epochs);
        // Both made at the start; the first scheduler's 5 steps, then SWALR's (as in PyTorch's SWA example).
        if (!a.get("after").getAsString().equals("CosineAnnealingLR(10) for 5 steps")) throw new IllegalArgumentException("no " + a.get("after"));
        yield switchAt(new CosineAnnealingLR(opt, 10, 0), swa, 5);
      }
      default -> of(newScheduler(name, a, opt), epochs);
    };
  }

  /** The schedulers added with MultiplicativeLR (the ones a plain step or step(epoch) drives). */
  private static LRScheduler newScheduler(String name, JsonObject a, Optimizer opt) {
    return switch (name) {
      case "MultiplicativeLR" -> {
        JsonElement f = a.get("lr_lambda");
        if (!f.isJsonArray()) yield new MultiplicativeLR(opt, function(f.getAsString()));
        IntToDoubleFunction[] fs = new IntToDoubleFunction[f.getAsJsonArray().size()];
        for (int i = 0; i < fs.length; i++) fs[i] = function(f.getAsJsonArray().get(i).getAsString());
        yield new MultiplicativeLR(opt, fs);
      }
      case "ConstantLR" -> a.has("factor") || a.has("total_iters")
          ? new ConstantLR(opt, num(a, "factor", 1.0 / 3), integer(a, "total_iters", 5)) : new ConstantLR(opt);
      case "PolynomialLR" -> a.has("total_iters") || a.has("power")
          ? new PolynomialLR(opt, integer(a, "total_iters", 5), num(a, "power", 1.0)) : new PolynomialLR(opt);
      case "CyclicLR" -> {
        CyclicLR.Options o = CyclicLR.Options.defaults();
        if (a.has("step_size_up")) o = o.withStepSizeUp(a.get("step_size_up").getAsInt());
        if (a.has("step_size_down")) o = o.withStepSizeDown(a.get("step_size_down").getAsInt());
        if (a.has("mode")) o = o.withMode(a.get("mode").getAsString());
        if (a.has("gamma")) o = o.withGamma(a.get("gamma").getAsDouble());
        if (a.has("scale_fn")) o = o.withScaleFn(scaleFunction(a.get("scale_fn").getAsString()));
        if (a.has("scale_mode")) o = o.withScaleMode(a.get("scale_mode").getAsString());
        if (a.has("cycle_momentum")) o = o.withCycleMomentum(a.get("cycle_momentum").getAsBoolean());
        if (a.has("base_momentum"))
          o = a.get("base_momentum").isJsonArray() ? o.withBaseMomentums(doubles(a.get("base_momentum"))) : o.withBaseMomentum(a.get("base_momentum").getAsDouble());
        if (a.has("max_momentum"))
          o = a.get("max_momentum").isJsonArray() ? o.withMaxMomentums(doubles(a.get("max_momentum"))) : o.withMaxMomentum(a.get("max_momentum").getAsDouble());
        JsonElement base = a.get("base_lr"), max = a.get("max_lr");
        yield base.isJsonArray() || max.isJsonArray()
            ? new CyclicLR(opt, perGroup(base, opt), perGroup(max, opt), o)
            : new CyclicLR(opt, base.getAsDouble(), max.getAsDouble(), o);
      }
      default -> throw new IllegalArgumentException("no Java scheduler for " + name);
    };
  }

  /** The lambdas of cases_schedulers.py's FUNCTIONS, by their Python expression. */
  private static IntToDoubleFunction function(String expression) {
    return switch (expression) {
      case "0.95" -> epoch -> 0.95;
      case "0.9" -> epoch -> 0.9;
      case "0.5 if epoch % 3 == 0 else 1.0" -> epoch -> epoch % 3 == 0 ? 0.5 : 1.0;
      case "1.0 - 0.02 * epoch" -> epoch -> 1.0 - 0.02 * epoch;
      default -> throw new IllegalArgumentException("no Java lambda for " + expression);
    };
  }

  private static DoubleUnaryOperator scaleFunction(String expression) {
    return switch (expression) {
      case "0.5 * (1 + sin(x * pi / 2))" -> x -> 0.5 * (1 + Math.sin(x * Math.PI / 2));
      case "1 / (1 + 0.1 * x)" -> x -> 1 / (1 + 0.1 * x);
      default -> throw new IllegalArgumentException("no Java scale function for " + expression);
    };
  }

  private static Stepper of(LRScheduler s, JsonArray epochs) {
    return epochs == null ? of(s) : i -> s.step(epochs.get(i).getAsInt());
  }

  private static Stepper switchAt(LRScheduler first, LRScheduler second, int at) {
    return i -> (i < at ? first : second).step();
  }

  private static String string(JsonObject a, String key, String fallback) {
    return a.has(key) ? a.get(key).getAsString() : fallback;
  }

  private static double[] doubles(JsonElement e) {
    JsonArray arr = e.getAsJsonArray();
    double[] out = new double[arr.size()];
    for (int i = 0; i < out.length; i++) out[i] = arr.get(i).getAsDouble();
    return out;
  }

  // A list as given, or a number as the same list PyTorch's _format_param makes of it.
  private static double[] perGroup(JsonElement e, Optimizer opt) {
    if (e.isJsonArray()) return doubles(e);
    double[] out = new double[opt.paramGroups().size()];
    java.util.Arrays.fill(out, e.getAsDouble());
    return out;
  }
}
