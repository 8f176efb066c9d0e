package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.Tanh;
import dev.kiln.nn.utils.MultiTensorParametrization;
import dev.kiln.nn.utils.Parametrizations;
import dev.kiln.nn.utils.Parametrize;
import dev.kiln.nn.utils.RightInverse;
import dev.kiln.nn.utils.SpectralNorm;
import dev.kiln.nn.utils.WeightNorm;
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
 * Reparametrized layers follow PyTorch (parametrize.json, from tools/fixtures/cases_parametrize.py): weight_norm,
 * both spectral norms, orthogonal and user-defined parametrizations give PyTorch's state dict names and values,
 * parameter names, printed form, outputs and power-iteration buffers over training and evaluation forwards,
 * gradients of the inputs and of the original parameters, and the layer after removing them.
 */
class ParametrizeParityTest {
  /** cases_parametrize.py's Symmetric: the upper triangle mirrored. */
  static final class Symmetric extends Module implements RightInverse {
    @Override
    public Tensor forward(Tensor x) {
      return x.triu().add(x.triu(1).transpose(-2, -1));
    }

    @Override
    public Tensor rightInverse(Tensor a) {
      return a.triu();
    }
  }

  /** cases_parametrize.py's ScaledDirection: w = s * d from (s, d). */
  static final class ScaledDirection extends MultiTensorParametrization {
    @Override
    public Tensor forward(List<Tensor> t) {
      return t.get(1).mul(t.get(0));
    }

    @Override
    public List<Tensor> rightInverse(Tensor w) {
      Tensor s = w.norm();
      return List.of(s, w.div(s));
    }
  }

  @TestFactory
  Stream<DynamicTest> reparametrizedLayers() throws Exception {
    JsonObject root;
    try (Reader r = new InputStreamReader(ParametrizeParityTest.class.getResourceAsStream("/fixtures/parametrize.json"), StandardCharsets.UTF_8)) {
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
    String layer = c.get("layer").getAsString();
    Module m = ModuleMakers.make(layer, c.getAsJsonObject("kwargs"));
    if (c.get("dtype").getAsString().equals("float64")) m.to(DType.FLOAT64);
    m.loadStateDict(state(c.getAsJsonObject("initial")));
    for (JsonElement a : c.getAsJsonArray("apply")) apply(m, a.getAsJsonObject());
    JsonObject tolerance = c.has("tolerance") ? c.getAsJsonObject("tolerance") : null;
    if (c.get("deterministic").getAsBoolean()) assertState(c.getAsJsonObject("registered"), m, "when registered", tolerance);
    else m.loadStateDict(state(c.getAsJsonObject("registered"))); // u, v or a base drawn at random: take PyTorch's
    assertEquals(strings(c.getAsJsonArray("parameter_names")), new ArrayList<>(m.namedParameters().keySet()), "parameter names");
    assertEquals(strings(c.getAsJsonArray("buffer_names")), new ArrayList<>(m.namedBuffers().keySet()), "buffer names");
    assertEquals(c.get("repr").getAsString(), m.toString(), "printed form");

    JsonArray steps = c.getAsJsonArray("steps");
    for (int i = 0; i < steps.size(); i++) {
      JsonObject step = steps.get(i).getAsJsonObject();
      m.train(step.get("train").getAsBoolean());
      Tensor x = tensor(step.get("input")).requiresGrad(true);
      Tensor out = run(layer, m, x, c.getAsJsonObject("forward"));
      matches(step.get("output"), out, "output of step " + i, tolerance);
      assertState(step.getAsJsonObject("state"), m, "after step " + i, tolerance);
      if (i == steps.size() - 1) {
        m.zeroGrad();
        out.mul(tensor(c.get("grad_output"))).sum().backward();
        matches(c.get("input_grad"), x.grad(), "grad of the input", tolerance);
        Map<String, Tensor> params = m.namedParameters();
        for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("param_grads").entrySet()) {
          Tensor grad = params.get(e.getKey()).grad();
          if (e.getValue().isJsonNull()) assertNull(grad, "grad of " + e.getKey());
          else matches(e.getValue(), grad, "grad of " + e.getKey(), tolerance);
        }
      }
    }
    m.eval();
    String name = c.getAsJsonArray("apply").get(0).getAsJsonObject().has("name")
        ? c.getAsJsonArray("apply").get(0).getAsJsonObject().get("name").getAsString() : "weight";
    matches(c.get("weight"), m.tensor(name), "the reparametrized " + name, tolerance);

    if (c.has("remove")) {
      remove(m, c.getAsJsonObject("remove"));
      JsonObject removed = c.getAsJsonObject("removed");
      assertState(removed.getAsJsonObject("state"), m, "after removal", tolerance);
      assertEquals(strings(removed.getAsJsonArray("parameter_names")), new ArrayList<>(m.namedParameters().keySet()), "parameter names after removal");
      assertEquals(removed.get("repr").getAsString(), m.toString(), "printed form after removal");
      Tensor x = tensor(steps.get(steps.size() - 1).getAsJsonObject().get("input"));
      matches(removed.get("output"), run(layer, m, x, c.getAsJsonObject("forward")), "output after removal", tolerance);
    }
  }

  /** cases_parametrize.py's apply. */
  private static void apply(Module m, JsonObject a) {
    String name = a.has("name") ? a.get("name").getAsString() : "weight";
    int iterations = a.has("n_power_iterations") ? a.get("n_power_iterations").getAsInt() : 1;
    double eps = a.has("eps") ? a.get("eps").getAsDouble() : 1e-12;
    Integer dim = a.has("dim") && !a.get("dim").isJsonNull() ? a.get("dim").getAsInt() : null;
    switch (a.get("fn").getAsString()) {
      case "weight_norm" -> WeightNorm.weightNorm(m, name, a.has("dim") ? dim : Integer.valueOf(0));
      case "spectral_norm_old" -> SpectralNorm.spectralNorm(m, name, iterations, eps, dim);
      case "spectral_norm" -> Parametrizations.spectralNorm(m, name, iterations, eps, dim);
      case "orthogonal" -> Parametrizations.orthogonal(m, name, a.has("orthogonal_map") ? a.get("orthogonal_map").getAsString() : null,
          !a.has("use_trivialization") || a.get("use_trivialization").getAsBoolean());
      case "register" -> {
        Module p = switch (a.get("parametrization").getAsString()) {
          case "symmetric" -> new Symmetric();
          case "tanh" -> new Tanh();
          case "scaled_direction" -> new ScaledDirection();
          default -> throw new IllegalArgumentException(a.toString());
        };
        Parametrize.registerParametrization(m, name, p, a.has("unsafe") && a.get("unsafe").getAsBoolean());
      }
      default -> throw new IllegalArgumentException(a.toString());
    }
  }

  /** cases_parametrize.py's remove. */
  private static void remove(Module m, JsonObject r) {
    String name = r.has("name") ? r.get("name").getAsString() : "weight";
    switch (r.get("fn").getAsString()) {
      case "remove_weight_norm" -> WeightNorm.removeWeightNorm(m, name);
      case "remove_spectral_norm" -> SpectralNorm.removeSpectralNorm(m, name);
      case "remove_parametrizations" -> Parametrize.removeParametrizations(m, name,
          !r.has("leave_parametrized") || r.get("leave_parametrized").getAsBoolean());
      default -> throw new IllegalArgumentException(r.toString());
    }
  }

  /** The layer's output (an RNN's output sequence). */
  private static Tensor run(String layer, Module m, Tensor x, JsonObject forward) {
    return ModuleMakers.call(layer, m, List.of(x), forward).get(0);
  }

  private static void assertState(JsonObject expected, Module m, String when, JsonObject tolerance) {
    Map<String, Tensor> actual = m.stateDict();
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "state dict keys " + when);
    for (Map.Entry<String, JsonElement> e : expected.entrySet()) matches(e.getValue(), actual.get(e.getKey()), e.getKey() + " " + when, tolerance);
  }

  /** The fixture's tensor, within the case's tolerance where it gives one (orthogonal maps: other algorithms). */
  private static void matches(JsonElement expected, Tensor actual, String what, JsonObject tolerance) {
    assertNotNull(actual, what);
    Fixtures.TensorSpec spec = Fixtures.spec(expected.getAsJsonObject());
    if (tolerance == null) {
      TensorAssert.assertMatches(spec, actual, what);
      return;
    }
    assertEquals(spec.dtype(), actual.dtype(), what + ": dtype");
    org.junit.jupiter.api.Assertions.assertArrayEquals(spec.shape(), actual.shape(), what + ": shape");
    TensorAssert.assertClose(spec.doubles(), actual.toDoubleArray(), tolerance.get("rtol").getAsDouble(),
        tolerance.get("atol").getAsDouble(), what);
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : a) out.add(e.getAsString());
    return out;
  }

  private static Map<String, Tensor> state(JsonObject o) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : o.entrySet()) out.put(e.getKey(), tensor(e.getValue()));
    return out;
  }

  private static Tensor tensor(JsonElement e) {
    return Fixtures.tensorOf(Fixtures.spec(e.getAsJsonObject()));
  }
}
