package dev.kiln.nn.utils;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.functional.Normalization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hook-based spectral_norm of PyTorch 1.13 (values against PyTorch: ParametrizeParityTest). */
class SpectralNormTest {
  @Test
  void trainingForwardsStepThePowerMethodEvaluationOnesDoNot() {
    Linear m = new Linear(5, 4);
    m.to(DType.FLOAT64);
    Tensor weight = m.weight;
    SpectralNorm.spectralNorm(m);
    assertSame(weight, m.tensor("weight_orig"), "the layer's tensor becomes weight_orig");
    assertEquals(List.of("bias", "weight_orig"), List.copyOf(m.namedParameters().keySet()));
    assertEquals(List.of("bias", "weight_orig", "weight_u", "weight_v"), List.copyOf(m.stateDict().keySet()));
    assertEquals("Linear(in_features=5, out_features=4, bias=True)", m.toString());

    Tensor u0 = m.tensor("weight_u").clone();
    Tensor x = Tensor.randn(DType.FLOAT64, 2, 5);
    m.call(x);
    // v from u, then u from v (the old order; the parametrization goes u first)
    Tensor v1 = Normalization.normalize(weight.detach().t().mv(u0), 2, 0, 1e-12);
    Tensor u1 = Normalization.normalize(weight.detach().mv(v1), 2, 0, 1e-12);
    ParametrizeTest.assertClose(u1, m.tensor("weight_u"), 1e-12);
    ParametrizeTest.assertClose(v1, m.tensor("weight_v"), 1e-12);
    double sigma = u1.dot(weight.detach().mv(v1)).item();
    ParametrizeTest.assertClose(weight.detach().div(sigma), m.tensor("weight"), 1e-12);

    m.eval();
    m.call(x);
    ParametrizeTest.assertClose(u1, m.tensor("weight_u"), 0);
    Tensor normalized = weight.detach().div(sigma);

    IllegalStateException twice = assertThrows(IllegalStateException.class, () -> SpectralNorm.spectralNorm(m));
    assertEquals("Cannot register two spectral_norm hooks on the same parameter weight", twice.getMessage());
    SpectralNorm.removeSpectralNorm(m);
    assertSame(weight, m.tensor("weight"), "the layer's tensor is its weight again, normalized");
    ParametrizeTest.assertClose(normalized, weight, 1e-12);
    assertEquals(List.of("bias", "weight"), List.copyOf(m.namedParameters().keySet()));
    assertEquals(List.of("bias", "weight"), List.copyOf(m.stateDict().keySet()));
    assertEquals("spectral_norm of 'weight' not found in Linear(in_features=5, out_features=4, bias=True)",
        assertThrows(IllegalArgumentException.class, () -> SpectralNorm.removeSpectralNorm(m)).getMessage());
  }

  @Test
  void pytorchsErrorsAndDefaults() {
    assertEquals("`SpectralNorm` cannot be applied as parameter `bias` is None", assertThrows(IllegalArgumentException.class,
        () -> SpectralNorm.spectralNorm(new Linear(3, 2, false), "bias", 1, 1e-12, null)).getMessage());
    assertEquals("Expected n_power_iterations to be positive, but got n_power_iterations=0", assertThrows(IllegalArgumentException.class,
        () -> SpectralNorm.spectralNorm(new Linear(3, 2), "weight", 0, 1e-12, null)).getMessage());
    // a transposed convolution's outputs are its dim 1: u has out_channels entries
    ConvTranspose2d t = SpectralNorm.spectralNorm(new ConvTranspose2d(2, 5, 3));
    assertArrayEquals(new long[] {5}, t.tensor("weight_u").shape());
  }
}
