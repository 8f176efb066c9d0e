package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

  /** A stand-in for the interpreter: /bin/sh running a script that prints what run.py --version would. */
  private static PyTorchProcess probeAnswering(Path dir, String blas) throws Exception {
    String json = "{\"torch\": \"1.13.1\", \"threads\": 1, \"blas\": [\"" + blas + "\"]}";
    Path script = Files.writeString(dir.resolve("fake.sh"), "echo '" + json + "'\n");
    return new PyTorchProcess("/bin/sh", script);
  }

  @Test
  void probeReadsVersionThreadsAndBlas(@TempDir Path dir) throws Exception {
    PyTorchProcess p = probeAnswering(dir, "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0");
    assertTrue(p.available());
    assertNull(p.note());
    assertEquals("1.13.1", p.version());
    assertEquals(1, p.defaultThreads());
    assertTrue(p.onReferenceBlas());
  }

  @Test
  void openBlasIsNotFlagged(@TempDir Path dir) throws Exception {
    assertFalse(probeAnswering(dir, "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3").onReferenceBlas());
  }
}
