package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.IndexException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * AdaptiveLogSoftmaxWithLoss beyond its parity cases (forward's outputs and gradients): logProb is a distribution
 * whose entries at the targets are forward's, predict is its argmax whichever side of the cutoff each row's answer
 * falls, the parameters' names and sizes, and bad arguments.
 */
class AdaptiveLogSoftmaxTest {
  private static AdaptiveLogSoftmaxWithLoss model() {
    AdaptiveLogSoftmaxWithLoss m = new AdaptiveLogSoftmaxWithLoss(8, 20, new int[] {4, 9, 15}, 2.0, true);
    Generator g = new Generator(7);
    for (Tensor p : m.parameters()) p.detach().copy_(Tensor.randn(g, p.shape()).mul(1.5));
    return m;
  }

  @Test
  void logProbIsADistributionThatForwardReads() {
    AdaptiveLogSoftmaxWithLoss m = model();
    Tensor x = Tensor.randn(new Generator(8), 6, 8);
    Tensor target = Tensor.of(new long[] {0, 3, 4, 10, 19, 12}, 6);
    Tensor all = m.logProb(x);
    assertArrayEquals(new long[] {6, 20}, all.shape());
    assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, all.exp().sum(1).toDoubleArray(), 1e-5);
    AdaptiveLogSoftmaxWithLoss.Output out = m.call(x, target);
    assertArrayEquals(all.gather(1, target.unsqueeze(1)).squeeze(1).toDoubleArray(), out.output().toDoubleArray(),
        1e-5);
    assertEquals(-out.output().mean().item(), out.loss().item(), 1e-6);
    // one unbatched sample: a 0-dim output
    AdaptiveLogSoftmaxWithLoss.Output one = m.call(x.select(0, 3), Tensor.scalar(10L, DType.INT64));
    assertEquals(0, one.output().dim());
    assertEquals(out.output().toDoubleArray()[3], one.output().item(), 1e-6);
  }

  @Test
  void predictIsTheArgmaxOfLogProb() {
    AdaptiveLogSoftmaxWithLoss m = model();
    Tensor x = Tensor.randn(new Generator(9), 64, 8).mul(2);
    long[] want = m.logProb(x).argmax(1).toLongArray();
    assertArrayEquals(want, m.predict(x).toLongArray());
    long inShortlist = java.util.Arrays.stream(want).filter(c -> c < 4).count();
    assertTrue(inShortlist > 0 && inShortlist < 64, "both kinds of rows: " + inShortlist); // the mixed path
    for (int i = 0; i < 64; i++)
      if (want[i] >= 4) assertEquals(want[i], m.predict(x.narrow(0, i, 1)).toLongArray()[0]); // all outside
  }

  @Test
  void parametersAreNamedAsPyTorchNamesThem() {
    AdaptiveLogSoftmaxWithLoss m = new AdaptiveLogSoftmaxWithLoss(16, 100, new int[] {10, 40});
    var p = m.namedParameters();
    assertEquals(java.util.List.of("head.weight", "tail.0.0.weight", "tail.0.1.weight", "tail.1.0.weight",
        "tail.1.1.weight"), java.util.List.copyOf(p.keySet()));
    assertArrayEquals(new long[] {12, 16}, p.get("head.weight").shape()); // 10 classes and 2 clusters
    assertArrayEquals(new long[] {4, 16}, p.get("tail.0.0.weight").shape()); // 16 // 4
    assertArrayEquals(new long[] {60, 1}, p.get("tail.1.1.weight").shape()); // 16 // 16, classes 40..99
  }

  @Test
  void badArguments() {
    assertThrows(IllegalArgumentException.class, () -> new AdaptiveLogSoftmaxWithLoss(8, 10, new int[] {5, 3}));
    assertThrows(IllegalArgumentException.class, () -> new AdaptiveLogSoftmaxWithLoss(8, 10, new int[] {4, 10}));
    assertThrows(IllegalArgumentException.class, () -> new AdaptiveLogSoftmaxWithLoss(8, 10, new int[] {}));
    AdaptiveLogSoftmaxWithLoss m = new AdaptiveLogSoftmaxWithLoss(4, 10, new int[] {5});
    IndexException range = assertThrows(IndexException.class,
        () -> m.call(Tensor.zeros(2, 4), Tensor.of(new long[] {3, 10}, 2)));
    assertEquals("AdaptiveLogSoftmaxWithLoss: Target values should be in [0, 9], but values in range [3, 10] were "
        + "found.", range.getMessage());
    assertThrows(ShapeException.class, () -> m.call(Tensor.zeros(3, 4), Tensor.of(new long[] {1, 2}, 2)));
    assertThrows(ShapeException.class, () -> m.call(Tensor.zeros(2, 2, 4), Tensor.of(new long[] {1, 2}, 2)));
    assertThrows(ShapeException.class, () -> m.call(Tensor.zeros(2, 4), Tensor.zeros(DType.INT64, 2, 1)));
    assertThrows(ArgumentException.class, () -> m.call(Tensor.zeros(2, 4), Tensor.zeros(2)));
  }
}
