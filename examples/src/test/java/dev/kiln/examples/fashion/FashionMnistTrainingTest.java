package dev.kiln.examples.fashion;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  void sameSeedSameNumbers(@TempDir Path dir) throws Exception {
    List<EpochResult> a = train(dir.resolve("a"), "mlp", 1).epochs(), b = train(dir.resolve("b"), "mlp", 1).epochs();
    assertEquals(a.get(0).trainLoss(), b.get(0).trainLoss(), 0.0);
    assertEquals(a.get(0).testAccuracy(), b.get(0).testAccuracy(), 0.0);
    assertArrayEquals(Files.readAllBytes(dir.resolve("a/mlp.safetensors")), Files.readAllBytes(dir.resolve("b/mlp.safetensors")));
  }
}
