package dev.kiln.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ArgumentException;
import dev.kiln.AutogradException;
import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.IndexException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The Losses API beyond the PyTorch fixtures: the reduction vocabulary, what differs from PyTorch on purpose, the
 * gradients a user sees (grad_fn, double backward), and bad input: a typed exception naming the loss and what it got,
 * the inputs unchanged.
 */
class LossesTest {
  private static final Tensor LOGITS = Tensor.of(new float[] {1, 2, 0.5f, -1, 0, 3, 2, 2, -2, 0.25f, 1, 1}, 3, 4);
  private static final Tensor LABELS = Tensor.of(new long[] {1, 3, 0});

  /** Throws type with a message naming each part, and leaves the inputs as they were. */
  private static <T extends Throwable> void assertError(Class<T> type, Executable call, Tensor[] inputs,
                                                        String... parts) {
    double[][] before = new double[inputs.length][];
    for (int i = 0; i < inputs.length; i++) before[i] = inputs[i].toDoubleArray();
    T e = assertThrows(type, call);
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    for (int i = 0; i < inputs.length; i++)
      assertArrayEquals(before[i], inputs[i].toDoubleArray(), 0.0, "input " + i + " changed");
  }

  @Test
  void reductionsReadAsPyTorchWritesThem() {
    for (Reduction r : Reduction.values()) assertEquals(r, Reduction.of(r.pyName()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reduction.of("elementwise_mean"));
    assertEquals("elementwise_mean is not a valid value for reduction", e.getMessage());
  }

  @Test
  void reductionsAgreeWithEachOther() {
    Tensor none = Losses.crossEntropy(LOGITS, LABELS, Reduction.NONE);
    assertArrayEquals(new long[] {3}, none.shape());
    assertEquals(none.sum().item(), Losses.crossEntropy(LOGITS, LABELS, Reduction.SUM).item(), 1e-6);
    assertEquals(none.mean().item(), Losses.crossEntropy(LOGITS, LABELS).item(), 1e-6);
    // the weighted mean divides by the weights of the targets, not by their number
    Tensor w = Tensor.of(new float[] {1, 2, 3, 4});
    double weighted = Losses.crossEntropy(LOGITS, LABELS, w, -100, Reduction.SUM, 0).item();
    assertEquals(weighted / (2 + 4 + 1), Losses.crossEntropy(LOGITS, LABELS, w, -100, Reduction.MEAN, 0).item(), 1e-6);
  }

  @Test
  void batchmeanIsKlDivsAlone() {
    Tensor q = LOGITS.logSoftmax(1), p = LOGITS.softmax(1);
    assertEquals(Losses.klDiv(q, p, Reduction.SUM).item() / 3, Losses.klDiv(q, p, Reduction.BATCHMEAN).item(), 1e-6);
    assertError(IllegalArgumentException.class, () -> Losses.mseLoss(q, p, Reduction.BATCHMEAN), new Tensor[] {q, p},
        "mse_loss", "batchmean");
  }

  @Test
  void fusedLossesRecordOneNode() {
    Tensor x = LOGITS.detach().requiresGrad(true);
    Tensor loss = Losses.crossEntropy(x, LABELS);
    assertEquals("CrossEntropyBackward0", loss.gradFn().name());
    assertEquals("MseLossBackward0", Losses.mseLoss(x, LOGITS).gradFn().name());
    assertEquals("BinaryCrossEntropyWithLogitsBackward0", Losses.binaryCrossEntropyWithLogits(x, LOGITS.sigmoid())
        .gradFn().name());
  }

  @Test
  void crossEntropyHasASecondDerivative() {
    // d/dx of <grad(loss), v> is the Hessian of the loss times v: softmax's Jacobian, here for one row.
    Tensor x = Tensor.of(new double[] {0.5, -1, 2}, 1, 3).requiresGrad(true);
    Tensor g = Autograd.grad(new Tensor[] {Losses.crossEntropy(x, Tensor.of(new long[] {2}))}, new Tensor[] {x}, null,
        true, true, false)[0];
    Tensor v = Tensor.of(new double[] {1, 0, -1}, 1, 3);
    Tensor hv = Autograd.grad(g.mul(v).sum(), x)[0];
    double[] p = x.detach().softmax(1).toDoubleArray();
    double pv = p[0] * 1 + p[2] * -1;
    double[] expected = {p[0] * (1 - pv), p[1] * (0 - pv), p[2] * (-1 - pv)};
    assertArrayEquals(expected, hv.toDoubleArray(), 1e-12);
  }

  @Test
  void targetOutOfRangeIsAnIndexError() {
    Tensor bad = Tensor.of(new long[] {1, 12, 0});
    assertError(IndexException.class, () -> Losses.crossEntropy(LOGITS, bad), new Tensor[] {LOGITS, bad},
        "cross_entropy", "Target 12 is out of bounds.");
    assertError(IndexException.class, () -> Losses.nllLoss(LOGITS, bad), new Tensor[] {LOGITS, bad}, "nll_loss",
        "Target 12 is out of bounds.");
  }

  @Test
  void shapesThatDoNotFitNameBothShapes() {
    Tensor two = Tensor.of(new long[] {1, 3});
    assertError(ShapeException.class, () -> Losses.crossEntropy(LOGITS, two), new Tensor[] {LOGITS, two},
        "cross_entropy", "batch_size (3)", "batch_size (2)");
    Tensor column = Tensor.zeros(3, 1);
    assertError(ShapeException.class, () -> Losses.binaryCrossEntropyWithLogits(LOGITS, column),
        new Tensor[] {LOGITS, column}, "binary_cross_entropy_with_logits", "[3, 1]", "[3, 4]");
    Tensor row = Tensor.zeros(5);
    assertError(ShapeException.class, () -> Losses.mseLoss(LOGITS, row), new Tensor[] {LOGITS, row}, "mse_loss",
        "[3, 4]", "[5]");
    Tensor w = Tensor.ones(3);
    assertError(ShapeException.class, () -> Losses.crossEntropy(LOGITS, LABELS, w, -100, Reduction.MEAN, 0),
        new Tensor[] {LOGITS, LABELS, w}, "cross_entropy", "all 4 classes", "[3]");
  }

  @Test
  void dtypesThatDoNotFitNameTheDtype() {
    Tensor ints = LOGITS.to(DType.INT64);
    assertError(DTypeException.class, () -> Losses.crossEntropy(ints, LABELS), new Tensor[] {ints, LABELS},
        "cross_entropy", "int64");
    Tensor int32 = LABELS.to(DType.INT32);
    assertError(DTypeException.class, () -> Losses.nllLoss(LOGITS, int32), new Tensor[] {LOGITS, int32}, "nll_loss",
        "int32");
    Tensor f64 = LOGITS.sigmoid().to(DType.FLOAT64);
    assertError(DTypeException.class, () -> Losses.binaryCrossEntropy(LOGITS.sigmoid(), f64), new Tensor[] {f64},
        "binary_cross_entropy", "float64");
  }

  @Test
  void argumentsOutOfTheirRangeAreRefused() {
    Tensor p = LOGITS.sigmoid();
    assertError(ArgumentException.class, () -> Losses.crossEntropy(LOGITS, LABELS, null, -100, Reduction.MEAN, 1.5),
        new Tensor[] {LOGITS}, "cross_entropy", "label_smoothing", "1.5");
    // PyTorch 1.13 accepts a negative label_smoothing (and computes with it); Kiln refuses it.
    assertError(ArgumentException.class, () -> Losses.crossEntropy(LOGITS, LABELS, null, -100, Reduction.MEAN, -0.1),
        new Tensor[] {LOGITS}, "cross_entropy", "label_smoothing");
    assertError(ArgumentException.class, () -> Losses.binaryCrossEntropy(LOGITS, p), new Tensor[] {LOGITS, p},
        "binary_cross_entropy", "between 0 and 1");
    assertError(ArgumentException.class, () -> Losses.huberLoss(LOGITS, p, Reduction.MEAN, 0), new Tensor[] {LOGITS},
        "huber_loss", "delta");
    assertError(ArgumentException.class, () -> Losses.smoothL1Loss(LOGITS, p, Reduction.MEAN, -1),
        new Tensor[] {LOGITS}, "smooth_l1_loss", "beta");
    Tensor negative = Tensor.full(-1.0, 3, 4);
    assertError(ArgumentException.class, () -> Losses.gaussianNllLoss(LOGITS, p, negative), new Tensor[] {negative},
        "gaussian_nll_loss", "negative");
  }

  @Test
  void aWeightThatRequiresGradIsRefusedByBackward() {
    Tensor x = LOGITS.detach().requiresGrad(true);
    Tensor w = Tensor.ones(4).requiresGrad(true);
    Tensor loss = Losses.crossEntropy(x, LABELS, w, -100, Reduction.MEAN, 0);
    AutogradException e = assertThrows(AutogradException.class, loss::backward);
    assertTrue(e.getMessage().contains("cross_entropy") && e.getMessage().contains("'weight'"), e.getMessage());
    Tensor pw = Tensor.ones(4).requiresGrad(true);
    Tensor logits = Losses.binaryCrossEntropyWithLogits(x, LOGITS.sigmoid(), null, Reduction.SUM, pw);
    e = assertThrows(AutogradException.class, logits::backward);
    assertTrue(e.getMessage().contains("'pos_weight'"), e.getMessage());
  }

  @Test
  void aMissingInputIsANullPointer() {
    assertThrows(NullPointerException.class, () -> Losses.mseLoss(LOGITS, null));
    assertThrows(NullPointerException.class, () -> Losses.tripletMarginLoss(LOGITS, null, LOGITS));
  }

  @Test
  void sixteenBitInputsGiveSixteenBitLosses() {
    Tensor half = LOGITS.to(DType.BFLOAT16);
    Tensor loss = Losses.crossEntropy(half, LABELS, Reduction.NONE);
    assertEquals(DType.BFLOAT16, loss.dtype());
    assertArrayEquals(Losses.crossEntropy(half.to(DType.FLOAT32), LABELS, Reduction.NONE).to(DType.BFLOAT16)
        .toDoubleArray(), loss.toDoubleArray(), 0.0);
  }
}
