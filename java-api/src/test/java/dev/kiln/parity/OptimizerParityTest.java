package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.optim.ASGD;
import dev.kiln.optim.Adadelta;
import dev.kiln.optim.Adagrad;
import dev.kiln.optim.Adam;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.Adamax;
import dev.kiln.optim.LBFGS;
import dev.kiln.optim.NAdam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.RAdam;
import dev.kiln.optim.RMSprop;
import dev.kiln.optim.Rprop;
import dev.kiln.optim.SGD;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each optimizer follows PyTorch's trajectory step for step (optim.json, from tools/fixtures/cases_optim.py), and its
 * state where a case records it.
 */
class OptimizerParityTest {
  @TestFactory
  Stream<DynamicTest> trajectories() throws Exception {
    JsonObject root;
    try (Reader r = new InputStreamReader(OptimizerParityTest.class.getResourceAsStream("/fixtures/optim.json"), StandardCharsets.UTF_8)) {
      root = JsonParser.parseReader(r).getAsJsonObject();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : root.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> replay(c)));
    }
    return tests.stream();
  }

  private static void replay(JsonObject c) {
    List<Tensor> params = new ArrayList<>();
    for (JsonElement p : c.getAsJsonArray("params")) params.add(Fixtures.tensorOf(Fixtures.spec(p.getAsJsonObject())).requiresGrad(true));
    Map<String, Object> options = options(c.getAsJsonObject("options"));
    List<ParamGroup> groups = c.get("group1_lr").isJsonNull()
        ? List.of(new ParamGroup(params))
        : List.of(new ParamGroup(List.of(params.get(0))), new ParamGroup(List.of(params.get(1)), Map.of("lr", c.get("group1_lr").getAsDouble())));
    Optimizer opt = make(c.get("optimizer").getAsString(), groups, options);
    JsonArray grads = c.getAsJsonArray("grads"), expected = c.getAsJsonArray("expected");
    for (int step = 0; step < grads.size(); step++) {
      JsonArray g = grads.get(step).getAsJsonArray();
      for (int i = 0; i < params.size(); i++)
        params.get(i).setGrad(g.get(i).isJsonNull() ? null : Fixtures.tensorOf(Fixtures.spec(g.get(i).getAsJsonObject())));
      opt.step();
      JsonArray want = expected.get(step).getAsJsonArray();
      for (int i = 0; i < params.size(); i++)
        TensorAssert.assertMatches(Fixtures.spec(want.get(i).getAsJsonObject()), params.get(i),
            "parameter " + i + " after step " + (step + 1), DType.FLOAT32);
      if (c.has("expected_state")) assertState(opt, c.getAsJsonArray("expected_state").get(step).getAsJsonArray(), step);
    }
  }

  /** The recorded state tensors (ASGD's ax, Rprop's prev and step_size) under PyTorch's names, in their own dtype's precision. */
  private static void assertState(Optimizer opt, JsonArray want, int step) {
    Map<?, ?> states = (Map<?, ?>) opt.stateDict().get("state");
    for (int i = 0; i < want.size(); i++) {
      Map<?, ?> s = (Map<?, ?>) states.get(Integer.toString(i));
      if (want.get(i).isJsonNull()) {
        assertNull(s, "parameter " + i + " has state before its first gradient");
        continue;
      }
      for (Map.Entry<String, JsonElement> e : want.get(i).getAsJsonObject().entrySet()) {
        assertNotNull(s, "state of parameter " + i + " after step " + (step + 1));
        assertTrue(s.get(e.getKey()) instanceof Tensor, "state '" + e.getKey() + "' of parameter " + i);
        TensorAssert.assertMatches(Fixtures.spec(e.getValue().getAsJsonObject()), (Tensor) s.get(e.getKey()),
            "state '" + e.getKey() + "' of parameter " + i + " after step " + (step + 1));
      }
    }
  }

  /** LBFGS re-evaluates a closure: lbfgs.json records what each step(closure) returned and the parameters after it. */
  @TestFactory
  Stream<DynamicTest> lbfgsTrajectories() throws Exception {
    JsonObject root;
    try (Reader r = new InputStreamReader(OptimizerParityTest.class.getResourceAsStream("/fixtures/lbfgs.json"), StandardCharsets.UTF_8)) {
      root = JsonParser.parseReader(r).getAsJsonObject();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : root.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> replayLbfgs(c)));
    }
    return tests.stream();
  }

  private static void replayLbfgs(JsonObject c) {
    List<Tensor> data = new ArrayList<>();
    for (JsonElement d : c.getAsJsonArray("data")) data.add(Fixtures.tensorOf(Fixtures.spec(d.getAsJsonObject())));
    List<Tensor> params = new ArrayList<>();
    for (JsonElement p : c.getAsJsonArray("params")) params.add(Fixtures.tensorOf(Fixtures.spec(p.getAsJsonObject())).requiresGrad(true));
    Map<String, Object> options = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> o : c.getAsJsonObject("options").entrySet()) {
      JsonElement v = o.getValue();
      options.put(o.getKey(), v.getAsJsonPrimitive().isString() ? v.getAsString() : v.getAsDouble());
    }
    LBFGS opt = new LBFGS(params, options);
    Tensor w = params.get(0), v = params.get(1), u = data.get(0), target = data.get(1), center = data.get(2), weight = data.get(3);
    java.util.function.Supplier<Tensor> closure = () -> {
      opt.zeroGrad();
      Tensor loss = w.matmul(u).sub(target).pow(2).sum().add(w.pow(4).sum().mul(0.1))
          .add(v.sub(center).pow(2).mul(weight).sum()).add(v.tanh().sum());
      loss.backward();
      return loss;
    };
    JsonArray losses = c.getAsJsonArray("losses"), expected = c.getAsJsonArray("expected");
    // Tens of iterations amplify rounding: float64 agrees to 1e-9; float32 to what separates PyTorch's own
    // float32 run from its float64 one on these cases (1e-4 relative with a 1e-3 floor).
    boolean f32 = w.dtype() == DType.FLOAT32;
    double rtol = f32 ? 1e-3 : 1e-9, atol = f32 ? 1e-4 : 1e-9;
    for (int step = 0; step < losses.size(); step++) {
      double loss = opt.step(closure).item();
      TensorAssert.assertClose(new double[] {losses.get(step).getAsDouble()}, new double[] {loss}, rtol, atol, "loss returned by step " + (step + 1));
      JsonArray ps = expected.get(step).getAsJsonArray();
      for (int i = 0; i < params.size(); i++)
        TensorAssert.assertClose(Fixtures.spec(ps.get(i).getAsJsonObject()).doubles(), params.get(i).toDoubleArray(), rtol, atol,
            "parameter " + i + " after step " + (step + 1));
    }
  }

  private static Optimizer make(String name, List<ParamGroup> groups, Map<String, Object> options) {
    return switch (name) {
      case "SGD" -> new SGD(groups, options);
      case "Adam" -> new Adam(groups, options);
      case "AdamW" -> new AdamW(groups, options);
      case "RMSprop" -> new RMSprop(groups, options);
      case "Adagrad" -> new Adagrad(groups, options);
      case "Adadelta" -> new Adadelta(groups, options);
      case "Adamax" -> new Adamax(groups, options);
      case "NAdam" -> new NAdam(groups, options);
      case "RAdam" -> new RAdam(groups, options);
      case "ASGD" -> new ASGD(groups, options);
      case "Rprop" -> new Rprop(groups, options);
      default -> throw new IllegalArgumentException("no Java optimizer for " + name);
    };
  }

  private static Map<String, Object> options(JsonObject o) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      JsonElement v = e.getValue();
      if (v.isJsonArray()) {
        List<Double> list = new ArrayList<>();
        for (JsonElement x : v.getAsJsonArray()) list.add(x.getAsDouble());
        m.put(e.getKey(), list);
      } else if (v.getAsJsonPrimitive().isBoolean()) {
        m.put(e.getKey(), v.getAsBoolean());
      } else {
        m.put(e.getKey(), v.getAsDouble());
      }
    }
    return m;
  }
}
