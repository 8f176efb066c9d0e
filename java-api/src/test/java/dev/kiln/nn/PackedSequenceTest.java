package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.nn.utils.PackedSequence;
import dev.kiln.nn.utils.RnnUtils;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nn.utils.rnn beyond the packed-layer parity cases (modules_rnn.json): the examples of PyTorch's documentation,
 * padding values, lengths, round trips, gradients through packing, and bad input. Expected values are PyTorch 1.13's.
 */
class PackedSequenceTest {
  private static Tensor longs(long... v) {
    return Tensor.of(v, v.length);
  }

  @Test
  void packSequenceStepByStep() {
    // torch.nn.utils.rnn.pack_sequence([tensor([1, 2, 3]), tensor([4, 5]), tensor([6])])
    PackedSequence p = RnnUtils.packSequence(List.of(longs(1, 2, 3), longs(4, 5), longs(6)), true);
    assertArrayEquals(new long[] {1, 4, 6, 2, 5, 3}, p.data().toLongArray());
    assertArrayEquals(new long[] {3, 2, 1}, p.batchSizeArray());
    assertNull(p.sortedIndices());
    assertEquals("PackedSequence(data=tensor([1, 4, 6, 2, 5, 3]), batch_sizes=tensor([3, 2, 1]), sorted_indices=None, "
        + "unsorted_indices=None)", p.toString());
    List<Tensor> back = RnnUtils.unpackSequence(p);
    assertArrayEquals(new long[] {4, 5}, back.get(1).toLongArray());
    assertArrayEquals(new long[] {6}, back.get(2).toLongArray());
  }

  @Test
  void unsortedBatchesRememberTheirOrder() {
    // pad_packed_sequence's documented example: seq [[1,2,0],[3,0,0],[4,5,6]], lengths [2, 1, 3], batch_first
    Tensor seq = Tensor.of(new long[] {1, 2, 0, 3, 0, 0, 4, 5, 6}, 3, 3);
    PackedSequence p = RnnUtils.packPaddedSequence(seq, new long[] {2, 1, 3}, true, false);
    assertArrayEquals(new long[] {4, 1, 3, 5, 2, 6}, p.data().toLongArray());
    assertArrayEquals(new long[] {3, 2, 1}, p.batchSizeArray());
    assertArrayEquals(new long[] {2, 0, 1}, p.sortedIndices().toLongArray());
    assertArrayEquals(new long[] {1, 2, 0}, p.unsortedIndices().toLongArray());
    RnnUtils.Padded back = RnnUtils.padPackedSequence(p, true);
    assertArrayEquals(seq.toLongArray(), back.padded().toLongArray());
    assertArrayEquals(new long[] {2, 1, 3}, back.lengths().toLongArray());
    assertThrows(ArgumentException.class, () -> RnnUtils.packPaddedSequence(seq, new long[] {2, 1, 3}, true, true));
  }

  @Test
  void paddingValuesAndLengths() {
    Tensor a = Tensor.of(new float[] {1, 2}, 2), b = Tensor.of(new float[] {3}, 1);
    assertArrayEquals(new float[] {1, 3, 2, -1}, RnnUtils.padSequence(List.of(a, b), false, -1).toFloatArray());
    assertArrayEquals(new float[] {1, 2, 3, 0}, RnnUtils.padSequence(List.of(a, b), true).toFloatArray());
    // the result takes the first sequence's dtype, as PyTorch's
    assertEquals(DType.FLOAT32, RnnUtils.padSequence(List.of(a, b.to(DType.FLOAT64)), true).dtype());
    // trailing dims kept; a longer total length; padding values in the padded positions only
    Tensor x = Tensor.arange(DType.FLOAT32, 0, 24, 1).reshape(3, 2, 4);
    PackedSequence p = RnnUtils.packPaddedSequence(x, new long[] {3, 1}, false, true);
    assertArrayEquals(new long[] {4, 4}, p.data().shape());
    RnnUtils.Padded q = RnnUtils.padPackedSequence(p, false, 9, 5);
    assertArrayEquals(new long[] {5, 2, 4}, q.padded().shape());
    assertArrayEquals(new float[] {8, 9, 10, 11}, q.padded().select(0, 1).select(0, 0).toFloatArray());
    assertArrayEquals(new float[] {9, 9, 9, 9}, q.padded().select(0, 1).select(0, 1).toFloatArray());
    assertArrayEquals(new float[] {9, 9, 9, 9}, q.padded().select(0, 4).select(0, 0).toFloatArray());
    ArgumentException e = assertThrows(ArgumentException.class, () -> RnnUtils.padPackedSequence(p, false, 0, 2));
    assertTrue(e.getMessage().contains("total_length=2 and max sequence length being 3"), e.getMessage());
    List<Tensor> rows = RnnUtils.unpadSequence(q.padded(), new long[] {3, 1}, false);
    assertArrayEquals(new long[] {3, 4}, rows.get(0).shape());
    assertArrayEquals(new float[] {4, 5, 6, 7}, rows.get(1).reshape(-1).toFloatArray());
  }

  @Test
  void gradientsFlowThroughPackingAndUnpacking() {
    Tensor x = Tensor.randn(4, 3, 2).requiresGrad(true);
    PackedSequence p = RnnUtils.packPaddedSequence(x, longs(2, 4, 1), false, false);
    Tensor padded = RnnUtils.padPackedSequence(p.withData(p.data().mul(3)), false).padded();
    padded.sum().backward();
    // 3 where a sequence has an element, 0 in its padding
    float[] g = x.grad().toFloatArray();
    long[] lengths = {2, 4, 1};
    for (int t = 0; t < 4; t++)
      for (int b = 0; b < 3; b++)
        for (int k = 0; k < 2; k++) assertEquals(t < lengths[b] ? 3f : 0f, g[(t * 3 + b) * 2 + k], "t=" + t + " b=" + b);
  }

  @Test
  void aPackedLayerGivesWhatEachSequenceGivesAlone() {
    // the packed run of every layer kind against each sequence run on its own (no padding at all)
    for (RNNBase m : List.<RNNBase>of(new LSTM(RNNOptions.of(3, 4).bidirectional(true)), new GRU(RNNOptions.of(3, 4).numLayers(2)),
        new RNN(RNNOptions.of(3, 4).bidirectional(true)), new LSTM(RNNOptions.of(3, 4).projSize(2)))) {
      List<Tensor> seqs = List.of(Tensor.randn(2, 3), Tensor.randn(5, 3), Tensor.randn(3, 3));
      PackedSequence p = RnnUtils.packSequence(seqs, false);
      Tensor[] packed = run(m, p);
      List<Tensor> outs = RnnUtils.unpackSequence(p.withData(packed[0]));
      for (int b = 0; b < seqs.size(); b++) {
        Tensor[] alone = run(m, RnnUtils.packSequence(List.of(seqs.get(b)), true));
        assertClose(outs.get(b), alone[0], m + ": output of sequence " + b);
        assertClose(packed[1].select(1, b), alone[1].select(1, 0), m + ": h_n of sequence " + b);
      }
    }
  }

  private static void assertClose(Tensor got, Tensor want, String what) {
    assertArrayEquals(want.shape(), got.shape(), what);
    assertTrue(got.sub(want).abs().max().item() < 1e-5, what);
  }

  private static Tensor[] run(RNNBase m, PackedSequence p) {
    if (m instanceof LSTM l) {
      LSTM.PackedOutput o = l.forward(p, null, null);
      return new Tensor[] {o.output().data(), o.hN()};
    }
    if (m instanceof GRU g) {
      GRU.PackedOutput o = g.forward(p, null);
      return new Tensor[] {o.output().data(), o.hN()};
    }
    RNN.PackedOutput o = ((RNN) m).forward(p, null);
    return new Tensor[] {o.output().data(), o.hN()};
  }

  @Test
  void hooksSeeThePackedData() {
    GRU gru = new GRU(2, 3);
    PackedSequence p = RnnUtils.packSequence(List.of(Tensor.randn(3, 2), Tensor.randn(1, 2)), true);
    Tensor plain = gru.forward(p, null).output().data();
    Tensor expected = gru.forward(p.withData(p.data().mul(0)), null).output().data();
    gru.registerForwardPreHook((m, in) -> new Tensor[] {in[0].mul(0)});
    Tensor hooked = gru.forward(p, null).output().data();
    assertClose(hooked, expected, "the pre-hook's data runs");
    assertTrue(hooked.sub(plain).abs().max().item() > 1e-3, "and not the packed input's");
  }

  @Test
  void badInputRaisesTypedErrors() {
    Tensor x = Tensor.zeros(3, 2, 4);
    assertEquals("pack_padded_sequence: Expected `len(lengths)` to be equal to batch_size, but got 1 (batch_size=2)",
        assertThrows(ShapeException.class, () -> RnnUtils.packPaddedSequence(x, new long[] {2}, false, true)).getMessage());
    assertTrue(assertThrows(ArgumentException.class, () -> RnnUtils.packPaddedSequence(x, new long[] {2, 0}, false, true))
        .getMessage().contains("greater than 0"));
    assertTrue(assertThrows(ShapeException.class, () -> RnnUtils.packPaddedSequence(x, new long[] {4, 2}, false, true))
        .getMessage().contains("longer than the input's 3 steps"));
    assertThrows(ShapeException.class, () -> RnnUtils.packPaddedSequence(Tensor.zeros(0, 2, 4), new long[] {1, 1}, false, true));
    assertThrows(ShapeException.class, () -> RnnUtils.packPaddedSequence(Tensor.zeros(3), new long[] {3}, false, true));
    assertThrows(ShapeException.class, () -> RnnUtils.packPaddedSequence(x, Tensor.zeros(2), false, true));
    assertThrows(ArgumentException.class, () -> RnnUtils.padSequence(List.of(), false));
    assertThrows(ShapeException.class, () -> RnnUtils.padSequence(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 4)), false));
    assertThrows(ShapeException.class, () -> new PackedSequence(Tensor.zeros(5, 2), longs(2, 2), null, null));
    assertThrows(ShapeException.class, () -> new PackedSequence(Tensor.zeros(3, 2), longs(1, 2), null, null));
    assertThrows(ArgumentException.class, () -> RnnUtils.invertPermutation(longs(0, 0, 1)));
    PackedSequence p = RnnUtils.packPaddedSequence(x, new long[] {3, 2}, false, true);
    LSTM lstm = new LSTM(5, 3);
    assertTrue(assertThrows(ShapeException.class, () -> lstm.forward(p, null, null)).getMessage().contains("Expected 5, got 4"));
    // an initial state for a different batch (PyTorch 1.13 takes a larger one and drops its extra rows)
    GRU gru = new GRU(4, 3);
    assertThrows(ShapeException.class, () -> gru.forward(p, Tensor.zeros(1, 3, 3)));
  }
}
