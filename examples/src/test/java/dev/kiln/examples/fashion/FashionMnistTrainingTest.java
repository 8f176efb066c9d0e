package dev.kiln.examples.fashion;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A short run of the main job on the bundled sample: it learns, writes its files, and repeats itself exactly. */
class FashionMnistTrainingTest {
  private static FashionMnistTraining.Run train(Path out, String model, int epochs) throws Exception {
    FashionMnistTraining job = new FashionMnistTraining();
    new CommandLine(job).parseArgs("--data", out.resolve("no-such-dir").toString(), "--model", model, "--epochs", Integer.toString(epochs),
        "--out", out.toString(), "--no-progress");
    return job.run();
  }

  @Test
  void mlpLearnsTheSample(@TempDir Path dir) throws Exception {
    FashionMnistTraining.Run run = train(dir, "mlp", 3);
    List<EpochResult> e = run.epochs();
    assertTrue(e.get(2).trainLoss() < 0.8 * e.get(0).trainLoss(), "training loss falls: " + e);
    assertTrue(e.get(2).testAccuracy() > 0.6, "well above the 10% of chance: " + e.get(2).testAccuracy());
    for (Path f : List.of(run.weights(), run.checkpoint(), run.curves(), run.report())) assertTrue(Files.size(f) > 0, f + " written");
    assertTrue(Files.readString(run.report()).contains("bundled sample"));
  }

  @Test
  void cnnLearnsTheSample(@TempDir Path dir) throws Exception {
    List<EpochResult> e = train(dir, "cnn", 2).epochs();
    assertTrue(e.get(1).trainLoss() < 0.8 * e.get(0).trainLoss(), "training loss falls: " + e);
    assertTrue(e.get(1).testAccuracy() > 0.6, "well above the 10% of chance: " + e.get(1).testAccuracy());
  }

  /** Item 5 of the main job: PyTorch loads the weights Kiln wrote and finds the same test accuracy. */
  @Test
  void pytorchLoadsTheWeightsAndAgrees(@TempDir Path dir) throws Exception {
    Path python = Path.of("/usr/bin/python3"), script = Path.of("../tools/fashion_mnist_torch.py").toAbsolutePath();
    Assumptions.assumeTrue(Files.isExecutable(python) && Files.exists(script), "no python3 or script");
    Assumptions.assumeTrue(new ProcessBuilder(python.toString(), "-c", "import torch").start().waitFor() == 0,
        "PyTorch is not installed (apt-get install python3-torch)");
    EpochResult last = train(dir, "mlp", 2).epochs().get(1);
    Process p = new ProcessBuilder(python.toString(), script.toString(), "eval", "mlp", dir.resolve("mlp.safetensors").toString(),
        Path.of("src/main/resources/fashion-mnist-sample").toAbsolutePath().toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor(), output);
    JsonObject torch = JsonParser.parseString(output.substring(output.lastIndexOf('{'))).getAsJsonObject();
    assertEquals(last.testAccuracy(), torch.get("accuracy").getAsDouble(), 1.0 / 500 + 1e-9, "at most one of 500 images classified otherwise");
    assertEquals(last.testLoss(), torch.get("loss").getAsDouble(), 1e-4);
  }

  @Test
  void sameSeedSameNumbers(@TempDir Path dir) throws Exception {
    List<EpochResult> a = train(dir.resolve("a"), "mlp", 1).epochs(), b = train(dir.resolve("b"), "mlp", 1).epochs();
    assertEquals(a.get(0).trainLoss(), b.get(0).trainLoss(), 0.0);
    assertEquals(a.get(0).testAccuracy(), b.get(0).testAccuracy(), 0.0);
    assertArrayEquals(Files.readAllBytes(dir.resolve("a/mlp.safetensors")), Files.readAllBytes(dir.resolve("b/mlp.safetensors")));
  }
}
