package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.Tensor;
import dev.kiln.nn.Module;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each nn module gives PyTorch's outputs, input and parameter gradients, buffers after forward and printed
 * form, from the same weights and inputs (modules.json, from tools/fixtures/cases_modules.py).
 */
class ModuleParityTest {
  /** The module fixture files, one per family of layers (tools/fixtures/cases_modules*.py). */
  static final List<String> FAMILIES =
      List.of("modules", "modules_rnn", "modules_conv", "modules_attention", "modules_norm", "modules_losses",
          "modules_extra", "modules_transformer");

  private static JsonArray cases() throws Exception {
    JsonArray all = new JsonArray();
    for (String family : FAMILIES) {
      try (Reader r = new InputStreamReader(ModuleParityTest.class.getResourceAsStream("/fixtures/" + family + ".json"), StandardCharsets.UTF_8)) {
        all.addAll(JsonParser.parseReader(r).getAsJsonObject().getAsJsonArray("cases"));
      }
    }
    return all;
  }

  @TestFactory
  Stream<DynamicTest> modules() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : cases()) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> check(c)));
    }
    return tests.stream();
  }

  private static Tensor tensor(JsonElement e) {
    return e.isJsonNull() ? null : Fixtures.tensorOf(Fixtures.spec(e.getAsJsonObject()));
  }

  private static void check(JsonObject c) {
    String cls = c.get("module").getAsString();
    Module m = ModuleMakers.make(cls, c.getAsJsonObject("kwargs"));
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("state").entrySet()) state.put(e.getKey(), tensor(e.getValue()));
    if (state.values().stream().anyMatch(t -> t.dtype() == dev.kiln.DType.FLOAT64)) m.to(dev.kiln.DType.FLOAT64); // as .double()
    m.loadStateDict(state);
    m.train(c.get("train").getAsBoolean());
    assertEquals(c.get("repr").getAsString(), m.toString(), "printed form");

    List<Tensor> inputs = new ArrayList<>();
    for (JsonElement e : c.getAsJsonArray("inputs")) {
      Tensor x = tensor(e);
      inputs.add(x.dtype().isFloatingPoint() ? x.requiresGrad(true) : x);
    }
    JsonObject forward = c.has("forward") ? c.getAsJsonObject("forward") : new JsonObject();
    List<Tensor> outputs = ModuleMakers.call(cls, m, inputs, forward);
    JsonObject tolerance = c.has("tolerance") ? c.getAsJsonObject("tolerance") : null;
    JsonArray expected = c.getAsJsonArray("expected"), seeds = c.getAsJsonArray("grad_outputs");
    assertEquals(expected.size(), outputs.size(), "number of outputs");
    Tensor total = null;
    for (int i = 0; i < outputs.size(); i++) {
      matches(expected.get(i), outputs.get(i), "output " + i, tolerance);
      Tensor seed = tensor(seeds.get(i));
      if (seed != null && outputs.get(i).requiresGrad()) {
        Tensor term = outputs.get(i).mul(seed).sum();
        total = total == null ? term : total.add(term);
      }
    }
    for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("state_after").entrySet())
      TensorAssert.assertMatches(Fixtures.spec(e.getValue().getAsJsonObject()), m.stateDict().get(e.getKey()), "state after forward: " + e.getKey());
    if (total != null) total.backward();
    JsonArray inputGrads = c.getAsJsonArray("input_grads");
    for (int i = 0; i < inputs.size(); i++)
      checkGrad(inputGrads.get(i), inputs.get(i).grad(), "grad of input " + i, tolerance);
    Map<String, Tensor> params = m.namedParameters();
    for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("param_grads").entrySet())
      checkGrad(e.getValue(), params.get(e.getKey()).grad(), "grad of " + e.getKey(), tolerance);
  }

  private static void checkGrad(JsonElement expected, Tensor actual, String what, JsonObject tolerance) {
    if (expected.isJsonNull()) {
      assertNull(actual, what + " should be None");
    } else {
      assertNotNull(actual, what + " is missing");
      matches(expected, actual, what, tolerance);
    }
  }

  /** The dtype's tolerance, or the case's own ({"rtol", "atol"}: deep float32 graphs, see cases_modules.py). */
  private static void matches(JsonElement expected, Tensor actual, String what, JsonObject tolerance) {
    Fixtures.TensorSpec spec = Fixtures.spec(expected.getAsJsonObject());
    if (tolerance == null || !spec.dtype().isFloatingPoint()) {
      TensorAssert.assertMatches(spec, actual, what);
      return;
    }
    assertEquals(spec.dtype(), actual.dtype(), what + ": dtype");
    assertArrayEquals(spec.shape(), actual.shape(), what + ": shape");
    TensorAssert.assertClose(spec.doubles(), actual.toDoubleArray(), tolerance.get("rtol").getAsDouble(),
        tolerance.get("atol").getAsDouble(), what);
  }

  @Test
  void everyMakerHasACase() throws Exception {
    Set<String> used = new TreeSet<>();
    for (JsonElement e : cases()) used.add(e.getAsJsonObject().get("module").getAsString());
    Set<String> unused = new TreeSet<>(ModuleMakers.classes());
    unused.removeAll(used);
    assertTrue(unused.isEmpty(), "modules without a fixture case: " + unused);
  }
}
