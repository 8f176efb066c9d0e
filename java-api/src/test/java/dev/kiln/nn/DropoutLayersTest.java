package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** The dropout layers: training-only dropping, generators, printing, bad p. */
class DropoutLayersTest {
  @Test
  void dropsOnlyInTraining() {
    Dropout d = new Dropout(0.5, false, new Generator(1));
    Tensor x = Tensor.ones(DType.FLOAT64, 1000);
    double[] trained = d.call(x).toDoubleArray();
    assertTrue(java.util.Arrays.stream(trained).anyMatch(v -> v == 0));
    assertTrue(java.util.Arrays.stream(trained).allMatch(v -> v == 0 || v == 2));
    d.eval();
    assertArrayEquals(x.toDoubleArray(), d.call(x).toDoubleArray(), 0.0);
  }

  @Test
  void sameGeneratorSeedSameMasks() {
    Tensor x = Tensor.ones(4, 8, 3, 3);
    Tensor a = new Dropout2d(0.3, false, new Generator(5)).call(x);
    Tensor b = new Dropout2d(0.3, false, new Generator(5)).call(x);
    assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
  }

  @Test
  void printsAsPyTorch() {
    assertEquals("Dropout(p=0.5, inplace=False)", new Dropout().toString());
    assertEquals("Dropout2d(p=0.2, inplace=True)", new Dropout2d(0.2, true).toString());
    assertEquals("AlphaDropout(p=0.1, inplace=False)", new AlphaDropout(0.1).toString());
    assertEquals("FeatureAlphaDropout(p=0.5, inplace=False)", new FeatureAlphaDropout().toString());
  }

  @Test
  void refusesAProbabilityOutsideZeroToOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
    assertTrue(e.getMessage().contains("dropout probability has to be between 0 and 1, but got 1.5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Dropout3d(-0.1));
    assertThrows(IllegalArgumentException.class, () -> new AlphaDropout(Double.NaN));
  }
}
