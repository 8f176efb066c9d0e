package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.ArgumentException;
import dev.kiln.NotImplementedException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * validate_args: parameter constraints at construction and value shape and support in logProb, with the
 * messages PyTorch 1.13 gives (printed by the same calls in Python, float64 default dtype).
 */
class DistributionValidationTest {
  static Tensor t(double... v) {
    return Tensor.of(v, v.length);
  }

  @Test
  void parameterConstraint() {
    var e = assertThrows(ConstraintViolationException.class, () -> new Normal(t(0.0), t(-1.0)));
    assertEquals("Expected parameter scale (Tensor of shape (1,)) of distribution Normal(loc: " + t(0.0) + ", scale: "
        + t(-1.0) + ") to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\n" + t(-1.0),
        e.getMessage());
    var b = assertThrows(ConstraintViolationException.class, () -> Bernoulli.ofProbs(t(1.5)));
    assertEquals("Expected parameter probs (Tensor of shape (1,)) of distribution Bernoulli(probs: " + t(1.5)
        + ") to satisfy the constraint Interval(lower_bound=0.0, upper_bound=1.0), but found invalid values:\n" + t(1.5),
        b.getMessage());
    assertThrows(ConstraintViolationException.class, () -> new Exponential(t(1.0, 0.0)));
    assertThrows(ConstraintViolationException.class, () -> new Laplace(t(Double.NaN), t(1.0)));
    assertThrows(ConstraintViolationException.class, () -> Categorical.ofProbs(t(-0.5, 1.5)));
    assertEquals("Uniform is not defined when low>= high",
        assertThrows(ConstraintViolationException.class, () -> new Uniform(t(1.0), t(0.0))).getMessage());
    assertDoesNotThrow(() -> new Normal(t(0.0), t(-1.0), false));
    assertDoesNotThrow(() -> new Uniform(t(1.0), t(0.0), false));
  }

  @Test
  void valueSupport() {
    var e = assertThrows(ConstraintViolationException.class, () -> new Exponential(t(1.0)).logProb(t(-1.0)));
    assertEquals("Expected value argument (Tensor of shape (1,)) to be within the support (GreaterThanEq(lower_bound=0.0))"
        + " of the distribution Exponential(rate: " + t(1.0) + "), but found invalid values:\n" + t(-1.0), e.getMessage());
    var c = assertThrows(ConstraintViolationException.class,
        () -> Categorical.ofProbs(t(0.5, 0.5)).logProb(Tensor.scalar(5L)));
    assertEquals("Expected value argument (Tensor of shape ()) to be within the support (IntegerInterval(lower_bound=0,"
        + " upper_bound=1)) of the distribution Categorical(probs: torch.Size([2])), but found invalid values:\n5",
        c.getMessage());
    var n = assertThrows(ConstraintViolationException.class, () -> new Normal(0.0, 1.0).logProb(Tensor.scalar(Double.NaN)));
    assertEquals("Expected value argument (Tensor of shape ()) to be within the support (Real()) of the distribution"
        + " Normal(loc: 0.0, scale: 1.0), but found invalid values:\nnan", n.getMessage());
    assertThrows(ConstraintViolationException.class, () -> Bernoulli.ofProbs(t(0.5)).logProb(t(0.5)));
    assertThrows(ConstraintViolationException.class, () -> new Uniform(t(0.0), t(1.0)).logProb(t(2.0)));
    assertThrows(ConstraintViolationException.class, () -> new Exponential(t(1.0)).cdf(t(-1.0)));
    assertDoesNotThrow(() -> new Exponential(t(1.0), false).logProb(t(-1.0)));
  }

  @Test
  void valueShape() {
    var e = assertThrows(ShapeException.class, () -> new Normal(t(0, 1), t(1, 1)).logProb(t(0, 0, 0)));
    assertEquals("Value is not broadcastable with batch_shape+event_shape: torch.Size([3]) vs torch.Size([2]).",
        e.getMessage());
    // a size-1 dim broadcasts: PyTorch accepts [1, 3] against batch [1]
    assertDoesNotThrow(() -> Categorical.ofProbs(Tensor.of(new double[] {0.5, 0.5}, 1, 2))
        .logProb(Tensor.of(new long[] {0, 1, 1}, 1, 3)));
  }

  @Test
  void argumentErrors() {
    assertEquals("Either `probs` or `logits` must be specified, but not both.",
        assertThrows(ArgumentException.class, () -> new Bernoulli(t(0.5), t(0.0), null)).getMessage());
    assertThrows(ArgumentException.class, () -> new Categorical(null, null, null));
    assertEquals("`probs` parameter must be at least one-dimensional.",
        assertThrows(ArgumentException.class, () -> Categorical.ofProbs(Tensor.scalar(1.0))).getMessage());
    assertThrows(ShapeException.class, () -> new Normal(t(0, 1), t(1, 1, 1)));
    assertEquals("No KL(p || q) is implemented for p type Normal and q type Laplace",
        assertThrows(NotImplementedException.class,
            () -> KL.klDivergence(new Normal(0.0, 1.0), new Laplace(0.0, 1.0))).getMessage());
  }

  /** The float32 message printed by PyTorch 1.13 with its default dtype, compared literally. */
  @Test
  void float32MessageAsPyTorch() {
    var e = assertThrows(ConstraintViolationException.class,
        () -> new Normal(Tensor.of(new float[] {0f}, 1), Tensor.of(new float[] {-1f}, 1)));
    assertEquals("Expected parameter scale (Tensor of shape (1,)) of distribution Normal(loc: tensor([0.]), scale:"
        + " tensor([-1.])) to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\n"
        + "tensor([-1.])", e.getMessage());
  }

  @Test
  void defaultValidateArgs() {
    Distribution.setDefaultValidateArgs(false);
    try {
      assertDoesNotThrow(() -> new Normal(0.0, -1.0));
      assertDoesNotThrow(() -> new Exponential(1.0).logProb(Tensor.scalar(-1.0)));
    } finally {
      Distribution.setDefaultValidateArgs(true);
    }
    assertThrows(ConstraintViolationException.class, () -> new Normal(0.0, -1.0));
  }

  @Test
  void numberParameterTakesTensorDtype() {
    Normal n = new Normal(Tensor.of(new double[] {0, 1}, 2), 2.0);
    assertEquals(dev.kiln.DType.FLOAT64, n.scale().dtype());
    assertEquals(2, n.scale().numel());
    assertEquals(dev.kiln.DType.FLOAT64, new Uniform(-1.0, t(1, 2)).low().dtype());
  }
}
