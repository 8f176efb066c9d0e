package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.RemovableHandle;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The loss modules as modules: a user's own loss (a Loss subclass) with backward and hooks, class weights as buffers
 * (state dict, dtype conversion), the calls with two and three tensors, and their printed form.
 */
class LossModulesTest {
  /** A loss of one's own: mean |input - target|^3, written with tensor ops. */
  static final class CubeLoss extends Loss {
    @Override
    public Tensor forward(Tensor input, Tensor target) {
      return input.sub(target).abs().pow(3).mean();
    }
  }

  @Test
  void aUsersLossTrainsThroughBackward() {
    Tensor x = Tensor.of(new double[] {1, -2, 0.5}).requiresGrad(true);
    Tensor y = Tensor.of(new double[] {0, 0, 1});
    Tensor loss = new CubeLoss().call(x, y);
    assertEquals((1 + 8 + 0.125) / 3, loss.item(), 1e-12);
    loss.backward();
    // d/dx mean |d|^3 = 3 d |d| / n
    assertArrayEquals(new double[] {1, -4, -0.25}, x.grad().toDoubleArray(), 1e-12);
    assertEquals("CubeLoss()", new CubeLoss().toString());
    assertEquals(Reduction.MEAN, new CubeLoss().reduction);
  }

  @Test
  void hooksSeeTheInputsAndMayReplaceThemAndTheLoss() {
    CubeLoss loss = new CubeLoss();
    List<String> seen = new ArrayList<>();
    RemovableHandle pre = loss.registerForwardPreHook((m, in) -> {
      seen.add("pre " + in.length);
      return new Tensor[] {in[0].mul(2), in[1]}; // doubles the input
    });
    RemovableHandle post = loss.registerForwardHook((m, in, out) -> {
      seen.add("post " + ((Tensor) out).item());
      return ((Tensor) out).mul(10);
    });
    Tensor x = Tensor.of(new double[] {1, 1}).requiresGrad(true);
    Tensor value = loss.call(x, Tensor.zeros(DType.FLOAT64, 2));
    assertEquals(List.of("pre 2", "post 8.0"), seen);
    assertEquals(80, value.item(), 1e-12);
    value.backward();
    // 10 * mean((2x)^3): 10 * 3 (2x)^2 * 2 / 2
    assertArrayEquals(new double[] {120, 120}, x.grad().toDoubleArray(), 1e-12);
    pre.remove();
    post.remove();
    assertEquals(1, loss.call(Tensor.of(new double[] {1, 1}), Tensor.zeros(DType.FLOAT64, 2)).item(), 1e-12);
  }

  @Test
  void hooksRunAroundTheBuiltInLosses() {
    MarginRankingLoss ranking = new MarginRankingLoss(0.5, Reduction.SUM);
    List<Integer> arity = new ArrayList<>();
    ranking.registerForwardHook((m, in, out) -> {
      arity.add(in.length);
      return null;
    });
    Tensor a = Tensor.of(new double[] {1, 2}), b = Tensor.of(new double[] {2, 0}), y = Tensor.of(new double[] {1, 1});
    assertEquals(1.5, ranking.call(a, b, y).item(), 1e-12);
    assertEquals(List.of(3), arity);
  }

  @Test
  void weightsAreBuffers() {
    Tensor w = Tensor.of(new float[] {1, 2, 3});
    CrossEntropyLoss ce = new CrossEntropyLoss(w, -100, Reduction.MEAN, 0.0);
    assertSame(w, ce.weight);
    assertEquals(List.of("weight"), List.copyOf(ce.stateDict().keySet()));
    assertTrue(ce.parameters().isEmpty());
    assertTrue(new CrossEntropyLoss().stateDict().isEmpty());
    assertNull(new CrossEntropyLoss().weight);
    BCEWithLogitsLoss bce = new BCEWithLogitsLoss(null, Reduction.MEAN, Tensor.of(new float[] {2, 2}));
    assertEquals(List.of("pos_weight"), List.copyOf(bce.stateDict().keySet()));
    // loading a state dict and converting the dtype reach the weight the loss computes with
    ce.loadStateDict(Map.of("weight", Tensor.of(new float[] {0, 0, 1})));
    Tensor logits = Tensor.of(new double[] {0, 1, 2, 2, 1, 0}, 2, 3);
    ce.to(DType.FLOAT64);
    assertEquals(DType.FLOAT64, ce.weight.dtype());
    Tensor labels = Tensor.of(new long[] {2, 1});
    double onlyClassTwo = Losses.crossEntropy(logits.narrow(0, 0, 1), Tensor.of(new long[] {2})).item();
    assertEquals(onlyClassTwo, ce.call(logits, labels).item(), 1e-12);
  }

  @Test
  void eachLossTakesItsOwnNumberOfTensors() {
    Tensor x = Tensor.zeros(2, 3);
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> new TripletMarginLoss().call(x, x));
    assertTrue(e.getMessage().contains("TripletMarginLoss takes three tensors"), e.getMessage());
    e = assertThrows(UnsupportedOperationException.class, () -> new MSELoss().call(x, x, x));
    assertTrue(e.getMessage().contains("MSELoss takes two tensors"), e.getMessage());
    assertThrows(UnsupportedOperationException.class, () -> new MSELoss().call(x));
  }

  @Test
  void lossesPrintAsPyTorchs() {
    assertEquals("CrossEntropyLoss()", new CrossEntropyLoss(Tensor.ones(3), 1, Reduction.SUM, 0.1).toString());
    assertEquals("KLDivLoss()", new KLDivLoss(Reduction.BATCHMEAN, true).toString());
    assertEquals("TripletMarginLoss()", new TripletMarginLoss().toString());
    Sequential withLoss = new Sequential(new Linear(2, 2), new CrossEntropyLoss());
    assertTrue(withLoss.toString().contains("(1): CrossEntropyLoss()"), withLoss.toString());
  }

  @Test
  void ctcLossTakesFourTensorsOrLengthArrays() {
    Tensor logits = Tensor.randn(dev.kiln.DType.FLOAT64, 6, 2, 5).requiresGrad(true);
    Tensor targets = Tensor.of(new long[] {1, 2, 2, 3, 1, 0}, 2, 3);
    CTCLoss ctc = new CTCLoss();
    Tensor withArrays = ctc.call(logits.logSoftmax(2), targets, new long[] {6, 5}, new long[] {3, 2});
    Tensor withTensors = ctc.call(logits.logSoftmax(2), targets, Tensor.of(new long[] {6, 5}),
        Tensor.of(new long[] {3, 2}));
    assertEquals(withTensors.item(), withArrays.item(), 0.0);
    // the mean divides each loss by its target length first
    Tensor each = Losses.ctcLoss(logits.logSoftmax(2), targets, new long[] {6, 5}, new long[] {3, 2}, 0,
        Reduction.NONE, false);
    double[] e = each.toDoubleArray();
    assertEquals((e[0] / 3 + e[1] / 2) / 2, withArrays.item(), 1e-12);
    withArrays.backward();
    assertArrayEquals(new long[] {6, 2, 5}, logits.grad().shape());
    assertThrows(UnsupportedOperationException.class, () -> ctc.call(logits, targets));
    dev.kiln.KilnException bad = assertThrows(dev.kiln.KilnException.class,
        () -> new CTCLoss(5, Reduction.MEAN, false).call(logits.logSoftmax(2), targets, new long[] {6, 5},
            new long[] {3, 2}));
    assertEquals("ctc_loss: blank must be in label range [0, 5), got 5", bad.getMessage());
    assertEquals("CTCLoss()", ctc.toString());
  }

  @Test
  void tripletLossWithADistanceOfOnesOwn() {
    Tensor a = Tensor.randn(dev.kiln.DType.FLOAT64, 3, 4), p = Tensor.randn(dev.kiln.DType.FLOAT64, 3, 4);
    Tensor n = Tensor.randn(dev.kiln.DType.FLOAT64, 3, 4);
    // the default distance is a child PairwiseDistance, as PyTorch prints it, and gives tripletMarginLoss's value
    TripletMarginWithDistanceLoss plain = new TripletMarginWithDistanceLoss();
    assertEquals("TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)", plain.toString());
    assertEquals(Losses.tripletMarginLoss(a, p, n).item(), plain.call(a, p, n).item(), 1e-12);
    // a lambda: 1 - cosine similarity, with swap
    TripletMarginWithDistanceLoss cosine = new TripletMarginWithDistanceLoss(
        (u, v) -> new CosineSimilarity().call(u, v).neg().add(1.0), 0.5, true, Reduction.NONE);
    double[] got = cosine.call(a, p, n).toDoubleArray();
    double[] dp = new CosineSimilarity().call(a, p).neg().add(1.0).toDoubleArray();
    double[] dn = new CosineSimilarity().call(a, n).neg().add(1.0).toDoubleArray();
    double[] ds = new CosineSimilarity().call(p, n).neg().add(1.0).toDoubleArray();
    for (int i = 0; i < 3; i++) assertEquals(Math.max(0, dp[i] - Math.min(dn[i], ds[i]) + 0.5), got[i], 1e-12);
    assertEquals("TripletMarginWithDistanceLoss()", cosine.toString());
    assertThrows(IllegalArgumentException.class, () -> new TripletMarginWithDistanceLoss(null, 0.0, false,
        Reduction.MEAN));
    dev.kiln.KilnException dims = assertThrows(dev.kiln.KilnException.class,
        () -> Losses.tripletMarginWithDistanceLoss(a, p, n.view(12), null, 1.0, false, Reduction.MEAN));
    assertTrue(dims.getMessage().startsWith("triplet_margin_with_distance_loss: The anchor, positive, and negative"),
        dims.getMessage());
  }

  @Test
  void marginLossesOverClasses() {
    Tensor scores = Tensor.of(new double[] {0.1, 0.9, 0.3, 0.5, 0.2, 0.4}, 2, 3);
    // sample 0, target 1: max(0, 1 - 0.9 + 0.1) + max(0, 1 - 0.9 + 0.3), over 3; sample 1, target 0: (0.7 + 0.9) / 3
    Tensor perSample = new MultiMarginLoss(Reduction.NONE).call(scores, Tensor.of(new long[] {1, 0}));
    assertArrayEquals(new double[] {(0.2 + 0.4) / 3, (0.7 + 0.9) / 3}, perSample.toDoubleArray(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> new MultiMarginLoss(3, 1.0, null, Reduction.MEAN));
    // targets 1 then -1: sample 0 counts 1 against classes 0 and 2
    Tensor labels = Tensor.of(new long[] {1, -1, 0, 0, 2, -1}, 2, 3);
    Tensor multi = new MultiLabelMarginLoss(Reduction.NONE).call(scores, labels);
    double sample1 = (1 - 0.5 + 0.2) + (1 - 0.4 + 0.2);  // targets 0 (0.5) and 2 (0.4) against class 1 (0.2)
    assertArrayEquals(new double[] {(0.2 + 0.4) / 3, sample1 / 3}, multi.toDoubleArray(), 1e-12);
    assertEquals("MultiLabelMarginLoss()", new MultiLabelMarginLoss().toString());
  }
}
