package dev.kiln.autograd;

import static dev.kiln.Index.all;
import static dev.kiln.Index.from;
import static dev.kiln.Index.list;
import static dev.kiln.Index.of;
import static dev.kiln.Index.to;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.AutogradException;
import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In-place writes through views under autograd, as models use them: buffers filled with set, rows updated in
 * place, views made before a write that must see it (PyTorch's CopySlices and view regeneration).
 */
class InPlaceOnViewsTest {
  private static Tensor leaf(double... v) {
    return Tensor.of(v).requiresGrad(true);
  }

  @Test
  void aBufferFilledRowByRowCarriesTheGradientOfEachRow() {
    Tensor h = leaf(1, 2);
    Tensor buf = Tensor.zeros(DType.FLOAT64, 3, 2);
    for (int t = 0; t < 3; t++) buf.set(h.mul(t + 1), of(t)); // buf[t] = (t + 1) h
    assertEquals("CopySlices", buf.gradFn().name());
    buf.mul(buf).sum().backward(); // sum over t of ((t + 1) h)^2: 2 h (1 + 4 + 9)
    assertArrayEquals(new double[] {28, 56}, h.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void viewsMadeBeforeAWriteFollowTheBase() {
    Tensor x = leaf(1, 2, 3, 4);
    Tensor y = x.mul(1);
    Tensor tail = y.get(from(2));   // made before the write
    Tensor head = y.get(to(3));
    head.mul_(10);                   // overlaps tail at y[2]
    assertArrayEquals(new double[] {30, 4}, tail.toDoubleArray());
    assertEquals("SliceBackward0", tail.gradFn().name());
    tail.sum().backward();
    assertArrayEquals(new double[] {0, 0, 10, 1}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void advancedSetOnANonLeafAndGradcheck() {
    GradCheck.TensorFunction f = in -> {
      Tensor y = in[0].mul(2);
      y.set(in[1].mul(in[1]), list(2, 0), from(1));   // y[[2, 0], 1:] = v * v
      y.get(all(), of(0)).mul_(in[1].get(of(0), of(0))); // y[:, 0] *= v[0, 0]
      return new Tensor[] {y.tanh()};
    };
    Tensor x = Tensor.randn(new dev.kiln.Generator(3), DType.FLOAT64, 3, 3).requiresGrad(true);
    Tensor v = Tensor.randn(new dev.kiln.Generator(4), DType.FLOAT64, 2, 2).requiresGrad(true);
    assertTrue(GradCheck.gradcheck(f, x, v));
    assertTrue(GradCheck.gradgradcheck(f, x, v));
  }

  @Test
  void piecesOfSplitCannotBeWrittenWhileAutogradRecords() {
    Tensor y = leaf(1, 2, 3, 4).mul(1);
    List<Tensor> parts = y.split(2);
    AutogradException e = assertThrows(AutogradException.class, () -> parts.get(0).add_(1.0));
    assertTrue(e.getMessage().contains("several views"), e.getMessage());
    assertArrayEquals(new double[] {1, 2, 3, 4}, y.toDoubleArray());
  }

  @Test
  void aWriteIntoABufferThatNeedsNoGradLeavesItALeaf() {
    Tensor buf = Tensor.zeros(3);
    buf.set(Tensor.ones(2), to(2));
    assertNull(buf.gradFn());
    assertTrue(buf.isLeaf());
  }
}
