package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.Tensor;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.swa.AveragedModel;
import dev.kiln.optim.swa.BatchNormStats;
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
 * AveragedModel follows PyTorch's average of a model's trajectory, state dict for state dict, and update_bn gives
 * its batch norm statistics and outputs (swa.json, from tools/fixtures/cases_swa.py).
 */
class SwaParityTest {
  @TestFactory
  Stream<DynamicTest> averagedModels() throws Exception {
    JsonObject root;
    try (Reader r = new InputStreamReader(SwaParityTest.class.getResourceAsStream("/fixtures/swa.json"), StandardCharsets.UTF_8)) {
      root = JsonParser.parseReader(r).getAsJsonObject();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : root.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> replay(c)));
    }
    return tests.stream();
  }

  /** The model of cases_swa.py. */
  private static Sequential model() {
    return new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 2));
  }

  /** The average function of the case, as cases_swa.py's AVG_FNS. */
  private static AveragedModel.AvgFn avgFn(String name) {
    return switch (name) {
      case "mean" -> null;
      case "ema" -> (averaged, current, n) -> averaged.mul(0.9).add(current.mul(0.1));
      default -> throw new IllegalArgumentException("no avg_fn " + name);
    };
  }

  private static void replay(JsonObject c) {
    Sequential net = model();
    net.loadStateDict(state(c.getAsJsonObject("initial")));
    AveragedModel<Sequential> swa = new AveragedModel<>(net, SwaParityTest::model, avgFn(c.get("avg_fn").getAsString()),
        c.get("use_buffers").getAsBoolean());
    // At first a copy of the model, none averaged yet.
    JsonObject start = JsonParser.parseString("{\"n_averaged\": {\"dtype\": \"int64\", \"shape\": [], \"data\": [0]}}").getAsJsonObject();
    for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("initial").entrySet()) start.add("module." + e.getKey(), e.getValue());
    assertState(start, swa, "when made");
    JsonArray states = c.getAsJsonArray("states"), averaged = c.getAsJsonArray("averaged");
    for (int k = 0; k < states.size(); k++) {
      net.loadStateDict(state(states.get(k).getAsJsonObject()));
      swa.updateParameters(net);
      assertState(averaged.get(k).getAsJsonObject(), swa, "after update " + (k + 1));
    }
    assertEquals(states.size(), swa.nAveraged());

    Tensor x = tensor(c.get("input"));
    swa.eval();
    TensorAssert.assertMatches(Fixtures.spec(c.getAsJsonObject("output")), swa.call(x), "output");

    swa.train(!c.get("eval_before_bn").getAsBoolean());
    List<Object> loader = new ArrayList<>();
    for (JsonElement b : c.getAsJsonArray("bn_batches"))
      loader.add(c.get("pairs").getAsBoolean() ? new Tensor[] {tensor(b), Tensor.zeros(4, 2)} : tensor(b));
    BatchNormStats.updateBn(loader, swa);
    assertState(c.getAsJsonObject("after_bn"), swa, "after update_bn");
    assertEquals(c.get("training_after_bn").getAsBoolean(), swa.isTraining(), "mode after update_bn");
    assertEquals(0.1, ((BatchNorm1d) swa.module().get(1)).momentum, "momentum restored");
    swa.eval();
    TensorAssert.assertMatches(Fixtures.spec(c.getAsJsonObject("output_after_bn")), swa.call(x), "output after update_bn");
  }

  private static void assertState(JsonObject expected, Module m, String when) {
    Map<String, Tensor> actual = m.stateDict();
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "state dict keys " + when);
    for (Map.Entry<String, JsonElement> e : expected.entrySet())
      TensorAssert.assertMatches(Fixtures.spec(e.getValue().getAsJsonObject()), actual.get(e.getKey()), e.getKey() + " " + when);
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
