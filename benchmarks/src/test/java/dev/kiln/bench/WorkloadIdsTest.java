package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Both sides know every workload under the same id: a row without PyTorch's figure would otherwise go unnoticed. */
class WorkloadIdsTest {
  private static List<String> javaIds() {
    return Stream.concat(Workloads.all().stream(), Workloads.kernels().stream()).map(Workload::id).toList();
  }

  @Test
  void idsAreUnique() {
    assertEquals(javaIds().size(), new HashSet<>(javaIds()).size());
  }

  /** The runner forks PeakMemory MODEL BATCH for every training row: its id must read as train_MODEL_BATCH. */
  @Test
  void trainingRowsNameAModelAndABatch() {
    List<Workload> training = Stream.concat(Workloads.all().stream(), Workloads.kernels().stream())
        .filter(Workload::isTraining).toList();
    assertEquals(4, training.size(), "MLP and CNN at batch 64 and 256");
    for (Workload w : training) {
      String[] parts = w.id().split("_");
      assertEquals(3, parts.length, w.id());
      assertTrue(parts[1].equals("mlp") || parts[1].equals("cnn"), w.id());
      assertTrue(Integer.parseInt(parts[2]) > 0, w.id());
    }
  }

  @Test
  void pytorchScriptKnowsTheSameIds() throws Exception {
    PyTorchProcess torch = new PyTorchProcess(PyTorchProcess.DEBIAN_PYTHON, PyTorchProcess.defaultScript());
    assumeTrue(torch.available(), "python3-torch not installed");
    var json = ChildProcess.runJson(List.of(PyTorchProcess.DEBIAN_PYTHON, PyTorchProcess.defaultScript().toString(),
        "--list"), Map.of());
    List<String> pythonIds = new ArrayList<>();
    json.getAsJsonArray("ids").forEach(e -> pythonIds.add(e.getAsString()));
    assertEquals(new HashSet<>(javaIds()), new HashSet<>(pythonIds));
  }
}
