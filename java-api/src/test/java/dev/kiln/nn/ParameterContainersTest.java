package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.IndexException;
import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** ParameterList and ParameterDict: names, lookup, replacement, bad indices and keys, printing. */
class ParameterContainersTest {
  @Test
  void listRegistersUnderIndices() {
    Tensor a = Tensor.zeros(2, 3), b = Tensor.ones(3);
    ParameterList list = new ParameterList(a).add(b);
    assertEquals(List.of("0", "1"), List.copyOf(list.namedParameters().keySet()));
    assertEquals(List.of("0", "1"), List.copyOf(list.stateDict().keySet()));
    assertSame(b, list.get(-1));
    assertTrue(a.requiresGrad());
    Tensor c = Tensor.ones(4);
    list.set(0, c);
    assertSame(c, list.get(0));
    assertEquals(2, list.size());
    int n = 0;
    for (Tensor p : list) assertSame(n++ == 0 ? c : b, p);
    Module owner = new Sequential(list);
    assertEquals(List.of("0.0", "0.1"), List.copyOf(owner.namedParameters().keySet()));
  }

  @Test
  void listRefusesIndicesOutOfRange() {
    ParameterList list = new ParameterList(Tensor.zeros(2));
    IndexException e = assertThrows(IndexException.class, () -> list.get(1));
    assertEquals("ParameterList: index 1 is out of range for 1 parameters", e.getMessage());
    assertThrows(IndexException.class, () -> list.get(-2));
    assertThrows(IndexException.class, () -> list.set(3, Tensor.zeros(1)));
    assertThrows(IllegalArgumentException.class, () -> list.add(null));
    assertEquals(1, list.size());
  }

  @Test
  void dictKeepsKeysInOrder() {
    Map<String, Tensor> sorted = new TreeMap<>(Map.of("weight", Tensor.zeros(2), "bias", Tensor.zeros(1)));
    ParameterDict dict = new ParameterDict(sorted).put("scale", Tensor.ones(1));
    assertEquals(List.of("bias", "weight", "scale"), List.copyOf(dict.keys()));
    Tensor w = Tensor.ones(2);
    dict.put("weight", w);
    assertSame(w, dict.get("weight"));
    assertEquals(List.of("bias", "weight", "scale"), List.copyOf(dict.stateDict().keySet()));
    assertTrue(dict.containsKey("bias"));
    assertEquals(3, dict.values().size());
    IndexException e = assertThrows(IndexException.class, () -> dict.get("shift"));
    assertTrue(e.getMessage().startsWith("ParameterDict: no parameter with key 'shift'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> dict.put("a.b", Tensor.ones(1)));
  }

  @Test
  void printsAsPyTorch() {
    assertEquals("ParameterList()", new ParameterList().toString());
    assertEquals("ParameterList(  (0): Parameter containing: [torch.float32 of size 2])",
        new ParameterList(Tensor.zeros(2)).toString());
    assertEquals("ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2x3]\n"
        + "    (1): Parameter containing: [torch.float64 of size ]\n)",
        new ParameterList(Tensor.zeros(2, 3), Tensor.zeros(DType.FLOAT64)).toString());
    ParameterDict dict = new ParameterDict().put("a", Tensor.zeros(1)).put("b", Tensor.zeros(DType.FLOAT64, 1, 2));
    assertEquals("Sequential(\n  (0): ParameterDict(\n      (a): Parameter containing: [torch.FloatTensor of size 1]\n"
        + "      (b): Parameter containing: [torch.DoubleTensor of size 1x2]\n  )\n)", new Sequential(dict).toString());
  }
}
