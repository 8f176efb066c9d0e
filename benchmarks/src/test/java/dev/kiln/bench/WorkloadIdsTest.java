package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
