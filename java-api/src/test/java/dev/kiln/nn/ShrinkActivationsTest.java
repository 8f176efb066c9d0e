package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.ArgumentException;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;
import org.junit.jupiter.api.Test;

/** Threshold and the shrinks: values at NaN (left out of the parity fixtures), band edges, bad lambd, printing. */
class ShrinkActivationsTest {
  private static final double NAN = Double.NaN;

  @Test
  void nanPassesThroughExceptInSoftshrink() {
    Tensor x = Tensor.of(new double[] {NAN, 2.0}, 2);
    assertTrue(Double.isNaN(new Hardshrink().call(x).toDoubleArray()[0]));
    assertTrue(Double.isNaN(new Threshold(0.5, 7).call(x).toDoubleArray()[0]));
    assertTrue(Double.isNaN(new Tanhshrink().call(x).toDoubleArray()[0]));
    // PyTorch's softshrink kernel falls to its "else 0" branch for NaN
    assertArrayEquals(new double[] {0.0, 1.5}, new Softshrink().call(x).toDoubleArray(), 0.0);
  }

  @Test
  void gradientIsZeroOnTheBandEdges() {
    Tensor x = Tensor.of(new double[] {-0.5, 0.5, 0.75, -0.75}, 4).requiresGrad(true);
    Activations.hardshrink(x).sum().backward();
    assertArrayEquals(new double[] {0, 0, 1, 1}, x.grad().toDoubleArray(), 0.0);
    Tensor y = Tensor.of(new double[] {-0.5, 0.5, 0.75, -0.75}, 4).requiresGrad(true);
    Tensor out = Activations.softshrink(y, 0.5);
    assertArrayEquals(new double[] {0, 0, 0.25, -0.25}, out.toDoubleArray(), 0.0);
    out.sum().backward();
    assertArrayEquals(new double[] {0, 0, 1, 1}, y.grad().toDoubleArray(), 0.0);
    Tensor z = Tensor.of(new double[] {1.0, 1.5, 0.5}, 3).requiresGrad(true);
    Tensor t = Activations.threshold(z, 1.0, -2.0);
    assertArrayEquals(new double[] {-2, 1.5, -2}, t.toDoubleArray(), 0.0);
    t.sum().backward();
    assertArrayEquals(new double[] {0, 1, 0}, z.grad().toDoubleArray(), 0.0);
  }

  @Test
  void refusesANegativeLambdaForSoftshrink() {
    ArgumentException e = assertThrows(ArgumentException.class, () -> new Softshrink(-1));
    assertEquals("Softshrink: lambda must be greater or equal to 0, but found to be -1.0.", e.getMessage());
    Tensor x = Tensor.ones(2);
    e = assertThrows(ArgumentException.class, () -> Activations.softshrink(x, -0.5));
    assertTrue(e.getMessage().startsWith("softshrink: lambda must be greater or equal to 0"), e.getMessage());
    assertThrows(ArgumentException.class, () -> Activations.softshrink(x, NAN));
    assertArrayEquals(new double[] {1, 1}, x.toDoubleArray(), 0.0);
  }

  @Test
  void printsAsPyTorch() {
    assertEquals("Threshold(threshold=0.1, value=20.0)", new Threshold(0.1, 20).toString());
    assertEquals("Hardshrink(0.5)", new Hardshrink().toString());
    assertEquals("Softshrink(1e-05)", new Softshrink(1e-5).toString());
    assertEquals("Tanhshrink()", new Tanhshrink().toString());
  }
}
