package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.Kiln;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The Transformer family's API: PyTorch's state dict names, copies of the stacked layer, initialisation, the
 * causal mask, custom activations and bad input (values and printing are checked in modules_transformer.json).
 */
class TransformerTest {
  private static TransformerLayerOptions small() {
    return new TransformerLayerOptions().dimFeedforward(16).dropout(0);
  }

  @Test
  void stateDictKeysArePyTorchs() {
    // list(nn.TransformerEncoderLayer(8, 2, 16).state_dict()) and the decoder layer's, from PyTorch 1.13.
    List<String> encoder = List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
        "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight",
        "norm1.bias", "norm2.weight", "norm2.bias");
    assertEquals(encoder, List.copyOf(new TransformerEncoderLayer(8, 2, small()).stateDict().keySet()));
    List<String> decoder = List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
        "self_attn.out_proj.bias", "multihead_attn.in_proj_weight", "multihead_attn.in_proj_bias",
        "multihead_attn.out_proj.weight", "multihead_attn.out_proj.bias", "linear1.weight", "linear1.bias",
        "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight",
        "norm3.bias");
    assertEquals(decoder, List.copyOf(new TransformerDecoderLayer(8, 2, small()).stateDict().keySet()));
    // nn.Transformer(8, 2, 1, 1, 16): 34 keys, the layers' under encoder.layers.0. and decoder.layers.0.
    Map<String, Tensor> full = new Transformer(8, 2, 1, 1, small()).stateDict();
    assertEquals(34, full.size());
    List<String> expected = new java.util.ArrayList<>();
    for (String k : encoder) expected.add("encoder.layers.0." + k);
    expected.addAll(List.of("encoder.norm.weight", "encoder.norm.bias"));
    for (String k : decoder) expected.add("decoder.layers.0." + k);
    expected.addAll(List.of("decoder.norm.weight", "decoder.norm.bias"));
    assertEquals(expected, List.copyOf(full.keySet()));
  }

  @Test
  void stackedLayersStartAsCopiesAndTrainIndependently() {
    Kiln.manualSeed(3);
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, small());
    Map<String, Tensor> original = layer.stateDict();
    TransformerEncoder encoder = new TransformerEncoder(layer, 2);
    for (int i = 0; i < 2; i++) {
      assertNotSame(layer, encoder.layer(i));
      for (Map.Entry<String, Tensor> e : encoder.layer(i).stateDict().entrySet())
        assertArrayEquals(original.get(e.getKey()).toDoubleArray(), e.getValue().toDoubleArray(), 0.0, e.getKey());
    }
    double[] before = layer.linear1.weight.toDoubleArray();
    SGD opt = new SGD(encoder.parameters(), 0.1);
    encoder.call(Tensor.randn(5, 3, 8)).pow(2).sum().backward();
    opt.step();
    assertArrayEquals(before, layer.linear1.weight.toDoubleArray(), 0.0, "the layer given is not in the stack");
    assertNull(layer.linear1.weight.grad());
    double[] w0 = encoder.layer(0).linear1.weight.toDoubleArray(), w1 = encoder.layer(1).linear1.weight.toDoubleArray();
    assertFalse(java.util.Arrays.equals(w0, before), "layer 0 was trained");
    assertFalse(java.util.Arrays.equals(w0, w1), "the copies took different steps: they share no memory");
  }

  @Test
  void copiesKeepDtypeModesAndFrozenParameters() {
    TransformerDecoderLayer layer = new TransformerDecoderLayer(4, 1, small());
    layer.to(DType.FLOAT64);
    layer.eval();
    layer.norm3.weight.requiresGrad(false);
    TransformerDecoderLayer copy = new TransformerDecoder(layer, 1).layer(0);
    assertEquals(DType.FLOAT64, copy.linear2.weight.dtype());
    assertFalse(copy.isTraining());
    assertFalse(copy.dropout3.isTraining());
    assertFalse(copy.norm3.weight.requiresGrad());
    assertTrue(copy.norm2.weight.requiresGrad());
  }

  @Test
  void transformerInitialisesMatricesXavierUniform() {
    Kiln.manualSeed(0);
    Transformer t = new Transformer(16, 4, 1, 1, small());
    double bound = Math.sqrt(6.0 / (16 + 48)); // in_proj_weight [48, 16]
    double[] inProj = t.encoder.layer(0).selfAttn.inProjWeight.toDoubleArray();
    assertTrue(java.util.Arrays.stream(inProj).allMatch(v -> Math.abs(v) <= bound));
    assertTrue(java.util.Arrays.stream(inProj).anyMatch(v -> Math.abs(v) > bound * 0.9), "spread over the bound");
    double linearBound = Math.sqrt(6.0 / (16 + 16)); // linear1 [16, 16]: wider than Linear's own 1/sqrt(16)
    double[] linear1 = t.decoder.layer(0).linear1.weight.toDoubleArray();
    assertTrue(java.util.Arrays.stream(linear1).anyMatch(v -> Math.abs(v) > 0.25 && Math.abs(v) <= linearBound));
    assertArrayEquals(new double[16], t.encoder.layer(0).selfAttn.outProj.bias.toDoubleArray(), 0.0);
    assertArrayEquals(Tensor.ones(16).toDoubleArray(), ((LayerNorm) t.decoder.norm).weight.toDoubleArray(), 0.0);
  }

  @Test
  void customEncoderIsUsedAndReinitialised() {
    Kiln.manualSeed(6);
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, small());
    TransformerEncoder custom = new TransformerEncoder(layer, 1);
    double[] before = custom.layer(0).linear1.weight.toDoubleArray();
    Transformer t = new Transformer(8, 2, 6, 1, small(), custom, null);
    assertSame(custom, t.encoder);
    assertEquals(1, t.encoder.numLayers, "the custom encoder, not one of 6 layers");
    assertFalse(java.util.Arrays.equals(before, custom.layer(0).linear1.weight.toDoubleArray()),
        "Xavier-uniform reaches the custom encoder's matrices too");
    assertEquals(List.of("encoder.layers.0.self_attn.in_proj_weight"),
        List.copyOf(t.stateDict().keySet()).subList(0, 1));
    assertFalse(t.stateDict().containsKey("encoder.norm.weight"), "the custom encoder has no final norm");
    Tensor y = t.forward(Tensor.randn(5, 2, 8), Tensor.randn(3, 2, 8));
    assertArrayEquals(new long[] {3, 2, 8}, y.shape());
  }

  @Test
  void squareSubsequentMaskIsZeroOnAndBelowTheDiagonal() {
    double inf = Double.NEGATIVE_INFINITY;
    Tensor m = Transformer.generateSquareSubsequentMask(3);
    assertEquals(DType.FLOAT32, m.dtype());
    assertArrayEquals(new double[] {0, inf, inf, 0, 0, inf, 0, 0, 0}, m.toDoubleArray(), 0.0);
    assertEquals(DType.FLOAT64, Transformer.generateSquareSubsequentMask(2, DType.FLOAT64).dtype());
  }

  @Test
  void causalMaskKeepsEarlierOutputsIndependentOfLaterInputs() {
    Kiln.manualSeed(1);
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, small().batchFirst(true));
    Tensor x = Tensor.randn(1, 4, 8), changed = x.clone();
    changed.narrow(1, 3, 1).fill_(5.0);
    Tensor mask = Transformer.generateSquareSubsequentMask(4);
    Tensor a = layer.forward(x, mask, null).narrow(1, 0, 3), b = layer.forward(changed, mask, null).narrow(1, 0, 3);
    assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 1e-6);
  }

  @Test
  void customActivationGivesTheSameAsItsName() {
    Kiln.manualSeed(2);
    TransformerEncoderLayer named = new TransformerEncoderLayer(8, 2, small().activation("gelu"));
    TransformerEncoderLayer custom = new TransformerEncoderLayer(8, 2,
        small().activation(x -> dev.kiln.nn.functional.Activations.gelu(x)));
    custom.loadStateDict(named.stateDict());
    Tensor x = Tensor.randn(3, 2, 8);
    assertArrayEquals(named.call(x).toDoubleArray(), custom.call(x).toDoubleArray(), 0.0);
    TransformerEncoderLayer relu = new TransformerEncoderLayer(8, 2, small());
    relu.loadStateDict(named.stateDict());
    assertFalse(java.util.Arrays.equals(named.call(x).toDoubleArray(), relu.call(x).toDoubleArray()));
  }

  @Test
  void dropoutActsInTrainingOnly() {
    Kiln.manualSeed(4);
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, new TransformerLayerOptions().dimFeedforward(16)
        .dropout(0.5));
    Tensor x = Tensor.randn(6, 2, 8);
    assertFalse(java.util.Arrays.equals(layer.call(x).toDoubleArray(), layer.call(x).toDoubleArray()));
    layer.eval();
    assertArrayEquals(layer.call(x).toDoubleArray(), layer.call(x).toDoubleArray(), 0.0);
  }

  @Test
  void attentionWeightDropoutZeroesOrScalesEachWeight() {
    Kiln.manualSeed(5);
    MultiheadAttention mha = new MultiheadAttention(4, 1, new MultiheadAttention.Options().dropout(0.5));
    Tensor x = Tensor.randn(6, 1, 4);
    double[] dropped = mha.forward(x, x, x, null, true, null, true).weights().toDoubleArray();
    mha.eval();
    double[] kept = mha.forward(x, x, x, null, true, null, true).weights().toDoubleArray();
    int zeros = 0;
    for (int i = 0; i < kept.length; i++) {
      if (dropped[i] == 0) zeros++;
      else assertEquals(2 * kept[i], dropped[i], 1e-6, "kept weights scaled by 1 / (1 - p)");
    }
    assertTrue(zeros > 5 && zeros < 31, zeros + " of 36 weights dropped");
  }

  @Test
  void hooksRunOncePerCall() {
    TransformerEncoder encoder = new TransformerEncoder(new TransformerEncoderLayer(4, 2, small()), 2);
    AtomicInteger stack = new AtomicInteger(), attention = new AtomicInteger();
    encoder.registerForwardHook((m, in, out) -> {
      stack.incrementAndGet();
      return null;
    });
    MultiheadAttention mha = encoder.layer(1).selfAttn;
    mha.registerForwardHook((m, in, out) -> {
      attention.incrementAndGet();
      return null;
    });
    encoder.call(Tensor.randn(3, 1, 4));
    mha.call(Tensor.randn(3, 1, 4));
    assertEquals(1, stack.get());
    assertEquals(2, attention.get(), "once inside the stack, once called alone");
  }

  @Test
  void badSettingsAreRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(10, 3));
    assertEquals("TransformerEncoderLayer: d_model (10) must be positive and divisible by nhead (3)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Transformer(10, 4, 1, 1, small()));
    e = assertThrows(IllegalArgumentException.class, () -> new TransformerLayerOptions().activation("tanh"));
    assertEquals("Transformer: activation should be relu/gelu, not tanh", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TransformerLayerOptions().dropout(1.5));
    e = assertThrows(IllegalArgumentException.class,
        () -> new TransformerEncoder(new TransformerEncoderLayer(4, 2, small()), 0));
    assertTrue(e.getMessage().startsWith("TransformerEncoder: num_layers"), e.getMessage());
  }

  @Test
  void badInputsNameTheModuleAndShapes() {
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, small());
    Exception e = assertThrows(ShapeException.class, () -> layer.call(Tensor.randn(5, 2, 6)));
    assertEquals("TransformerEncoderLayer: the feature number of src must be equal to d_model (8), got shape [5, 2, 6]",
        e.getMessage());
    assertThrows(ShapeException.class, () -> layer.call(Tensor.randn(2, 5, 2, 8)));
    e = assertThrows(ShapeException.class, () -> layer.forward(Tensor.randn(5, 2, 8), Tensor.zeros(4, 4), null));
    assertEquals("TransformerEncoderLayer: expected src_mask of shape [5, 5] or [4, 5, 5], got [4, 4]", e.getMessage());
    e = assertThrows(ShapeException.class,
        () -> layer.forward(Tensor.randn(5, 2, 8), null, Tensor.zeros(DType.BOOL, 5, 2)));
    assertEquals("TransformerEncoderLayer: expected src_key_padding_mask of shape [2, 5], got [5, 2]", e.getMessage());
    e = assertThrows(DTypeException.class,
        () -> layer.forward(Tensor.randn(5, 2, 8), null, Tensor.zeros(DType.INT64, 2, 5)));
    assertTrue(e.getMessage().contains("only bool and floating types of src_key_padding_mask"), e.getMessage());

    TransformerEncoder encoder = new TransformerEncoder(layer, 1);
    e = assertThrows(ShapeException.class, () -> encoder.forward(Tensor.randn(5, 2, 8), Tensor.zeros(5, 4), null));
    assertTrue(e.getMessage().startsWith("TransformerEncoder: expected src_mask"), e.getMessage());

    TransformerDecoderLayer decoder = new TransformerDecoderLayer(8, 2, small());
    e = assertThrows(ShapeException.class, () -> decoder.forward(Tensor.randn(4, 2, 8), Tensor.randn(5, 3, 8)));
    assertEquals("TransformerDecoderLayer: tgt [4, 2, 8] and memory [5, 3, 8] must both be batched with the same batch"
        + " size, or both unbatched", e.getMessage());
    e = assertThrows(ShapeException.class, () -> decoder.forward(Tensor.randn(4, 2, 8), Tensor.randn(5, 2, 8), null,
        Tensor.zeros(4, 4), null, null));
    assertEquals("TransformerDecoderLayer: expected memory_mask of shape [4, 5] or [4, 4, 5], got [4, 4]",
        e.getMessage());

    Transformer t = new Transformer(8, 2, 1, 1, small().batchFirst(true));
    e = assertThrows(ShapeException.class, () -> t.forward(Tensor.randn(2, 5, 8), Tensor.randn(3, 4, 8)));
    assertEquals("Transformer: the batch number of src and tgt must be equal, got shapes [2, 5, 8] and [3, 4, 8] "
        + "(batch first)", e.getMessage());
    e = assertThrows(ShapeException.class, () -> t.forward(Tensor.randn(2, 5, 8), Tensor.randn(2, 4, 7)));
    assertTrue(e.getMessage().startsWith("Transformer: the feature number of tgt"), e.getMessage());
  }

  @Test
  void printsAsPyTorch() {
    var encoder = new TransformerEncoder(new TransformerEncoderLayer(4, 2, small()), 1, new LayerNorm(4));
    String expected = """
        TransformerEncoder(
          (layers): ModuleList(
            (0): TransformerEncoderLayer(
              (self_attn): MultiheadAttention(
                (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)
              )
              (linear1): Linear(in_features=4, out_features=16, bias=True)
              (dropout): Dropout(p=0.0, inplace=False)
              (linear2): Linear(in_features=16, out_features=4, bias=True)
              (norm1): LayerNorm((4,), eps=1e-05, elementwise_affine=True)
              (norm2): LayerNorm((4,), eps=1e-05, elementwise_affine=True)
              (dropout1): Dropout(p=0.0, inplace=False)
              (dropout2): Dropout(p=0.0, inplace=False)
            )
          )
          (norm): LayerNorm((4,), eps=1e-05, elementwise_affine=True)
        )""";
    assertEquals(expected, encoder.toString());
  }
}
