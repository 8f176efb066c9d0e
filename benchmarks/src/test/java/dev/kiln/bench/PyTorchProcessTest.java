package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without python3-torch the runner goes on with Kiln alone, and the table says why PyTorch's columns are empty. */
class PyTorchProcessTest {
  @Test
  void interpreterWithoutTorchIsSkippedWithANote(@TempDir Path dir) throws Exception {
    Path script = Files.writeString(dir.resolve("run.py"), "import torch\n");
    PyTorchProcess p = new PyTorchProcess(dir.resolve("no-such-python").toString(), script);
    assertFalse(p.available());
    assertTrue(p.note().contains("apt-get install python3-torch"), p.note());
  }

  @Test
  void missingScriptIsSkippedWithANote(@TempDir Path dir) {
    PyTorchProcess p = new PyTorchProcess(PyTorchProcess.DEBIAN_PYTHON, dir.resolve("run.py"));
    assertFalse(p.available());
    assertTrue(p.note().contains("not found"), p.note());
  }
}
