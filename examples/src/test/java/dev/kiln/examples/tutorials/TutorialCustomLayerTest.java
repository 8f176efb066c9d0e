package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.examples.tutorials.CustomLayer.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected values: PyTorch 1.13, tools/tutorials/custom_layer.py. */
class TutorialCustomLayerTest {
  @Test
  void maskedLinearMatchesPyTorch() {
    Result r = CustomLayer.run();
    assertArrayEquals(new float[] {0.2f, 0.5f, 2.0f, 0.0f, 0.55f, 0.9f}, r.output(), 1e-6f);
    assertArrayEquals(new float[] {0.4f, 0, 0, -0.1f, 2.55f, 0, 2.2f, 8.9f, 15.6f}, r.weightGrad(), 1e-5f);
    assertArrayEquals(new float[] {0.4f, 2.1f, 5.8f}, r.biasGrad(), 1e-5f);
  }

  @Test
  void maskedWeightsGetNoGradient() {
    float[] g = CustomLayer.run().weightGrad();
    assertEquals(0f, g[1]);
    assertEquals(0f, g[2]);
    assertEquals(0f, g[5]);
  }

  @Test
  void theMaskIsABufferNotAParameter() {
    Result r = CustomLayer.run();
    assertEquals(List.of("weight", "bias", "mask"), r.stateDictKeys());
    assertEquals(List.of("weight", "bias"), r.parameterNames());
    assertEquals("MaskedLinear(features=3)", r.repr());
    assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 1, 1, 1}, new CustomLayer.MaskedLinear(3).mask.toFloatArray());
  }
}
