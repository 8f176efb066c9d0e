package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.DType;
import dev.kiln.KilnException;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.Functional;
import dev.kiln.autograd.Functional.MultiFunction;
import dev.kiln.autograd.Functional.ScalarFunction;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * torch.autograd.functional's vjp, jvp, jacobian, hessian, vhp and hvp against PyTorch (autograd_functional.json,
 * from tools/fixtures/cases_autograd_functional.py, whose header describes the format): values, which results
 * require grad, the gradient of the results with createGraph, and the errors with their messages.
 */
class FunctionalParityTest {
  /** The fixture's functions (FUNCS in cases_autograd_functional.py), written the same way. */
  static final Map<String, UnaryOperator<Tensor>> SINGLE = Map.of(
      "exp_times_sum", x -> x.exp().mul(x.sum()),
      "affine", x -> x.mul(2.0).add(1.0),
      "constant", x -> Tensor.ones(DType.FLOAT64, 2),
      "cube_sum", x -> x.pow(3.0).sum(),
      "square_sum", x -> x.mul(x).sum(),
      "linear_sum", x -> x.mul(2.0).sum());

  static final Map<String, MultiFunction> MULTI = Map.of(
      "sin_and_norm", in -> new Tensor[] {in[0].mul(in[1]).sin(), in[0].pow(2.0).sum(1).mul(in[1].sum())},
      "tanh_of_first", in -> new Tensor[] {in[0].tanh()},
      "scaled_exp", in -> new Tensor[] {in[1].mul(in[0]).exp(), in[0].mul(in[0])},
      "exp_pair", in -> new Tensor[] {in[0].exp().mul(in[1].sum()), in[0].mul(2.0).add(in[1].exp())});

  static final Map<String, ScalarFunction> SCALAR = Map.of(
      "cube_times", in -> in[0].pow(3.0).mul(in[1]).sum(),
      "cube_of_first", in -> in[0].pow(3.0).sum(),
      "exp_scaled_sum", in -> in[1].mul(in[0]).exp().sum(),
      "sin_of_product_sum", in -> in[0].mul(in[1]).sin().sum());

  @TestFactory
  Stream<DynamicTest> cases() throws Exception {
    JsonObject root;
    try (Reader r = new InputStreamReader(FunctionalParityTest.class.getResourceAsStream("/fixtures/autograd_functional.json"),
        StandardCharsets.UTF_8)) {
      root = JsonParser.parseReader(r).getAsJsonObject();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : root.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> replay(c)));
    }
    return tests.stream();
  }

  /** What a call gave: func's outputs (null for jacobian and hessian) and its results as rows. */
  private record Outcome(Tensor[] outputs, Tensor[][] rows) {}

  private static void replay(JsonObject c) {
    JsonArray specs = c.getAsJsonArray("inputs"), flags = c.getAsJsonArray("requires_grad");
    Tensor[] inputs = new Tensor[specs.size()];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = Fixtures.tensorOf(Fixtures.spec(specs.get(i).getAsJsonObject()));
      if (flags.get(i).getAsBoolean()) inputs[i].requiresGrad(true);
    }
    Tensor[] v = null;
    if (!c.get("v").isJsonNull()) {
      JsonArray vs = c.getAsJsonArray("v");
      v = new Tensor[vs.size()];
      for (int i = 0; i < v.length; i++) v[i] = Fixtures.tensorOf(Fixtures.spec(vs.get(i).getAsJsonObject()));
    }
    boolean createGraph = c.get("create_graph").getAsBoolean();
    Tensor[] vv = v;
    if (c.has("error")) {
      KilnException e = assertThrows(KilnException.class, () -> call(c, inputs, vv, createGraph));
      String torchMessage = c.getAsJsonObject("error").get("message").getAsString();
      assertEquals(torchMessage.replaceAll("torch\\.Size\\((\\[[^]]*])\\)", "$1"), e.getMessage());
    } else {
      Outcome o = call(c, inputs, v, createGraph);
      if (c.has("output")) assertRow(c.getAsJsonArray("output"), o.outputs(), c.getAsJsonArray("output_requires_grad"), "output");
      JsonArray result = c.getAsJsonArray("result"), requires = c.getAsJsonArray("result_requires_grad");
      boolean nested = result.get(0).isJsonArray();
      assertEquals(nested ? result.size() : 1, o.rows().length, "rows of the result");
      for (int i = 0; i < o.rows().length; i++)
        assertRow(nested ? result.get(i).getAsJsonArray() : result, o.rows()[i],
            nested ? requires.get(i).getAsJsonArray() : requires, "result[" + i + "]");
      if (createGraph) checkGradOfSum(c.getAsJsonArray("grad_of_sum"), inputs, o.rows());
    }
    for (int i = 0; i < inputs.length; i++)
      assertEquals(flags.get(i).getAsBoolean(), inputs[i].requiresGrad(), "input " + i + " keeps its requiresGrad");
  }

  private static Outcome call(JsonObject c, Tensor[] x, Tensor[] v, boolean createGraph) {
    String api = c.get("api").getAsString(), name = c.get("func").getAsString();
    boolean strict = c.get("strict").getAsBoolean();
    if (c.get("single").getAsBoolean()) {
      UnaryOperator<Tensor> f = SINGLE.get(name);
      Tensor v0 = v == null ? null : v[0];
      Functional.OutputAndProduct<Tensor, Tensor> r = switch (api) {
        case "vjp" -> Functional.vjp(f, x[0], v0, createGraph, strict);
        case "jvp" -> Functional.jvp(f, x[0], v0, createGraph, strict);
        case "vhp" -> Functional.vhp(f, x[0], v0, createGraph, strict);
        case "hvp" -> Functional.hvp(f, x[0], v0, createGraph, strict);
        case "jacobian" -> new Functional.OutputAndProduct<>(null, Functional.jacobian(f, x[0], createGraph, strict));
        case "hessian" -> new Functional.OutputAndProduct<>(null, Functional.hessian(f, x[0], createGraph, strict));
        default -> throw new IllegalStateException("unknown api " + api);
      };
      return new Outcome(r.output() == null ? null : new Tensor[] {r.output()}, new Tensor[][] {{r.product()}});
    }
    return switch (api) {
      case "vjp" -> products(Functional.vjp(MULTI.get(name), x, v, createGraph, strict));
      case "jvp" -> products(Functional.jvp(MULTI.get(name), x, v, createGraph, strict));
      case "vhp" -> product(Functional.vhp(SCALAR.get(name), x, v, createGraph, strict));
      case "hvp" -> product(Functional.hvp(SCALAR.get(name), x, v, createGraph, strict));
      case "jacobian" -> new Outcome(null, Functional.jacobian(MULTI.get(name), x, createGraph, strict));
      case "hessian" -> new Outcome(null, Functional.hessian(SCALAR.get(name), x, createGraph, strict));
      default -> throw new IllegalStateException("unknown api " + api);
    };
  }

  private static Outcome products(Functional.OutputAndProduct<Tensor[], Tensor[]> r) {
    return new Outcome(r.output(), new Tensor[][] {r.product()});
  }

  private static Outcome product(Functional.OutputAndProduct<Tensor, Tensor[]> r) {
    return new Outcome(new Tensor[] {r.output()}, new Tensor[][] {r.product()});
  }

  private static void assertRow(JsonArray expected, Tensor[] actual, JsonArray requiresGrad, String what) {
    assertEquals(expected.size(), actual.length, what + ": number of tensors");
    for (int j = 0; j < actual.length; j++) {
      TensorAssert.assertMatches(Fixtures.spec(expected.get(j).getAsJsonObject()), actual[j], what + "[" + j + "]");
      assertEquals(requiresGrad.get(j).getAsBoolean(), actual[j].requiresGrad(), what + "[" + j + "] requires grad");
    }
  }

  // PyTorch's d(sum of the results that require grad)/d(each input that requires grad).
  private static void checkGradOfSum(JsonArray expected, Tensor[] inputs, Tensor[][] rows) {
    Tensor total = null;
    for (Tensor[] row : rows)
      for (Tensor t : row)
        if (t.requiresGrad()) total = total == null ? t.sum() : total.add(t.sum());
    List<Integer> targets = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad()) targets.add(i);
    Tensor[] grads = new Tensor[inputs.length];
    if (total != null && !targets.isEmpty()) {
      Tensor[] g = Autograd.grad(new Tensor[] {total}, targets.stream().map(i -> inputs[i]).toArray(Tensor[]::new),
          null, false, false, true);
      for (int k = 0; k < g.length; k++) grads[targets.get(k)] = g[k];
    }
    assertEquals(expected.size(), inputs.length, "grad_of_sum: one per input");
    for (int i = 0; i < inputs.length; i++) {
      if (expected.get(i).isJsonNull()) {
        assertNull(grads[i], "grad_of_sum[" + i + "] is None in PyTorch");
      } else {
        assertTrue(grads[i] != null, "grad_of_sum[" + i + "] flows in PyTorch");
        TensorAssert.assertMatches(Fixtures.spec(expected.get(i).getAsJsonObject()), grads[i], "grad_of_sum[" + i + "]");
      }
    }
  }
}
