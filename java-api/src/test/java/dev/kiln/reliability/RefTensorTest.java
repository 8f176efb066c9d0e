package dev.kiln.reliability;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer's reference against values printed by PyTorch 1.13 (the python lines are in the comments): the
 * fuzzer can only be as right as its reference. Also that FuzzCheck reports a program Kiln gets wrong.
 */
class RefTensorTest {
  private static final double INF = Double.POSITIVE_INFINITY, NAN = Double.NaN;

  private static RefTensor matrix() {
    return RefTensor.of(new double[] {0, 1, 2, 3, 4, 5}, 2, 3); // torch.arange(6.).view(2, 3)
  }

  @Test
  void viewsFollowTheirStrides() {
    assertArrayEquals(new double[] {2, 1, 0, 5, 4, 3}, matrix().flip(1).values());        // a.flip(1)
    assertArrayEquals(new double[] {0, 2, 3, 5}, matrix().slice(1, 0, 3, 2).values());    // a[:, 0:3:2]
    assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, matrix().transpose(0, 1).values());
    assertArrayEquals(new double[] {0, 1, 2, 0, 1, 2}, matrix().slice(0, 0, 1, 1).expand(new long[] {2, 3}).values());
  }

  @Test
  void opsMatchPyTorch() {
    assertArrayEquals(new double[] {0, 1, 2, 3, 5, 7}, matrix().cumsum(0).values());      // torch.cumsum(a, 0)
    assertArrayEquals(new double[] {0, 1, 2, 0, 3, 4, 5, 3}, matrix().cat(matrix().slice(1, 0, 1, 1), 1).values());
    RefTensor b = RefTensor.of(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 3, 2);
    RefTensor batched = RefTensor.of(matrix().values(), 1, 2, 3).matmul(b);               // a.view(1, 2, 3) @ b
    assertArrayEquals(new double[] {10, 13, 28, 40, 28, 31, 100, 112}, batched.values());
    assertArrayEquals(new long[] {2, 2, 2}, batched.shape);
  }

  @Test
  void nonFiniteAndEmptyAsPyTorch() {
    RefTensor x = RefTensor.of(new double[] {1, -2, 3, -INF, -INF, -INF}, 2, 3);
    double[] lse = x.logsumexp(1, false).values();                                       // torch.logsumexp(x, 1)
    assertEquals(3.1328452337275756, lse[0], 1e-15);
    assertEquals(-INF, lse[1]);
    assertArrayEquals(new double[] {-INF, -INF}, RefTensor.of(new double[0], 2, 0).logsumexp(1, false).values());
    RefTensor withNan = RefTensor.of(new double[] {1, NAN, 0}, 3), withInf = RefTensor.of(new double[] {1, INF, 0}, 3);
    assertArrayEquals(new double[] {NAN, NAN, NAN}, withNan.softmax(0, false).values());
    assertArrayEquals(new double[] {NAN, NAN, NAN}, withInf.softmax(0, false).values());
    assertArrayEquals(new double[] {NAN, 3}, RefTensor.of(new double[] {1, NAN, 2, 3}, 2, 2)
        .reduce(1, false, RefTensor.Reduction.AMAX).values());                           // torch.amax(..., 1)
    RefTensor empty = RefTensor.of(new double[0], 0, 2);
    assertArrayEquals(new double[] {NAN, NAN}, empty.reduce(0, false, RefTensor.Reduction.MEAN).values());
    assertThrows(RefTensor.RefError.class, () -> empty.reduce(0, false, RefTensor.Reduction.AMAX));
  }

  @Test
  void promotionAsPyTorch() {
    RefTensor f32 = RefTensor.of(new double[] {1, 1, 1}, 3).asFloat32(true);
    assertTrue(f32.zip(RefTensor.of(new double[] {2}), (a, b) -> a * b).float32); // a 0-dim float64 does not promote
    assertFalse(f32.zip(RefTensor.of(new double[] {1, 1, 1}, 3), Double::sum).float32);
    assertThrows(RefTensor.RefError.class, () -> RefTensor.of(new double[] {1}, 1, 1).asFloat32(true)
        .matmul(RefTensor.of(new double[] {1}, 1, 1)));
  }

  @Test
  void theCheckReportsAProgramWhoseValuesKilnGetsWrong() {
    // The same program with one leaf's reference values changed: what FuzzCheck must see as a wrong Kiln result.
    FuzzProgram.Leaf leaf =
        new FuzzProgram.Leaf(new double[] {0.5, -1, 2}, new long[] {3}, true, FuzzProgram.Layout.AS_IS);
    FuzzProgram right = new FuzzProgram(List.of(leaf), List.of(new FuzzProgram.Step(FuzzProgram.Kind.EXP, 0, 0)));
    assertNull(FuzzCheck.check(right));
    FuzzProgram wrong = new FuzzProgram(right.leaves, right.steps) {
      @Override
      List<RefTensor> referenceLeaves() {
        return List.of(RefTensor.of(new double[] {0.5, -1, 2.001}, 3));
      }
    };
    assertTrue(FuzzCheck.check(wrong).startsWith("v0 (leaf view): element 2 is 2.0, the reference 2.001"),
        FuzzCheck.check(wrong));
  }
}
