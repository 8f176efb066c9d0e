package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.Kiln;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RNN, LSTM and GRU beyond their PyTorch parity cases: names, initialisation, dropout, bad input. */
class RecurrentTest {
  @Test
  void parametersAreNamedAndInitialisedAsPyTorchDoes() {
    LSTM lstm = new LSTM(RNNOptions.of(3, 4).numLayers(2).bidirectional(true).projSize(2));
    assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_hr_l0_reverse",
        "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_hr_l1",
        "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse", "weight_hr_l1_reverse"),
        List.copyOf(lstm.namedParameters().keySet()));
    assertArrayEquals(new long[] {16, 4}, lstm.namedParameters().get("weight_ih_l1").shape()); // 2 directions x proj 2
    assertArrayEquals(new long[] {16, 2}, lstm.namedParameters().get("weight_hh_l0").shape());
    double bound = 1 / Math.sqrt(4);
    for (Tensor p : lstm.parameters()) assertTrue(p.abs().max().item() <= bound, "uniform in +-1/sqrt(hidden)");
    assertEquals("LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True)", lstm.toString());
  }

  @Test
  void dropoutActsBetweenLayersOnlyInTraining() {
    Kiln.manualSeed(1);
    GRU gru = new GRU(RNNOptions.of(3, 8).numLayers(2).dropout(0.5));
    Tensor x = Tensor.randn(5, 2, 3);
    gru.eval();
    Tensor a = gru.call(x), b = gru.call(x);
    assertArrayEquals(a.toFloatArray(), b.toFloatArray(), "eval: deterministic");
    gru.train();
    Tensor c = gru.call(x);
    assertFalse(java.util.Arrays.equals(a.toFloatArray(), c.toFloatArray()), "train: dropout changes the second layer's input");
    GRU single = new GRU(RNNOptions.of(3, 8).dropout(0.5)); // one layer: nothing to drop between
    single.train();
    assertArrayEquals(single.call(x).toFloatArray(), single.call(x).toFloatArray());
  }

  @Test
  void badInputRaisesTypedErrors() {
    RNN rnn = new RNN(RNNOptions.of(3, 4).numLayers(2));
    ShapeException e = assertThrows(ShapeException.class, () -> rnn.call(Tensor.zeros(5, 2, 7)));
    assertTrue(e.getMessage().contains("Expected 3, got 7"), e.getMessage());
    assertThrows(ShapeException.class, () -> rnn.forward(Tensor.zeros(5, 2, 3), Tensor.zeros(1, 2, 4)));
    assertThrows(ShapeException.class, () -> rnn.call(Tensor.zeros(3)));
    assertThrows(IllegalArgumentException.class, () -> new GRU(RNNOptions.of(3, 4).projSize(2)));
    assertThrows(IllegalArgumentException.class, () -> new RNN(RNNOptions.of(3, 4).nonlinearity("sigmoid")));
    assertThrows(IllegalArgumentException.class, () -> new LSTM(RNNOptions.of(3, 4).dropout(1.5)));
    assertThrows(IllegalArgumentException.class, () -> new LSTM(3, 4).forward(Tensor.zeros(2, 1, 3), Tensor.zeros(1, 1, 4), null));
  }

  @Test
  void hooksSeeTheStatesAsInputs() {
    LSTM lstm = new LSTM(2, 3);
    int[] seen = new int[1];
    lstm.registerForwardPreHook((m, in) -> {
      seen[0] = in.length;
      return null;
    });
    lstm.forward(Tensor.zeros(4, 1, 2), Tensor.zeros(1, 1, 3), Tensor.zeros(1, 1, 3));
    assertEquals(3, seen[0]);
  }
}
