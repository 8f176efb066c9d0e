package dev.kiln.examples.tutorials;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Tensor;
import dev.kiln.examples.tutorials.CustomLoss.Fit;
import org.junit.jupiter.api.Test;

/** Expected values: PyTorch 1.13, tools/tutorials/custom_loss.py. */
class TutorialCustomLossTest {
  @Test
  void huberLossEqualsTorchHuberLossAndItsGradient() {
    Tensor input = Tensor.of(new float[] {0.5f, -2, 3, 0}).requiresGrad(true);
    Tensor loss = new CustomLoss.HuberLoss(1.0).call(input, Tensor.of(new float[] {0, 0, 1, 0.25f}));
    loss.backward();
    assertEquals(0.7890625, loss.item(), 1e-7);
    assertArrayEquals(new float[] {0.125f, -0.25f, 0.25f, -0.0625f}, input.grad().toFloatArray(), 1e-7f);
  }

  @Test
  void squaredErrorIsPulledByTheOutliers() {
    Fit fit = CustomLoss.fitSquaredError();
    assertEquals(2.2117645740509033, fit.weight(), 1e-5);
    assertEquals(2.138235330581665, fit.bias(), 1e-5);
    assertEquals(5.469485282897949, fit.loss(), 1e-5);
  }

  @Test
  void huberLossFitsCloserToTheLine() {
    Fit fit = CustomLoss.fitHuber();
    assertEquals(2.0510902404785156, fit.weight(), 1e-5);
    assertEquals(1.2346991300582886, fit.bias(), 1e-5);
    assertEquals(1.0092469453811646, fit.loss(), 1e-5);
  }
}
