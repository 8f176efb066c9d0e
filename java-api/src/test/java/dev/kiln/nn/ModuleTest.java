package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.RemovableHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Module: registration, names, modes, state dicts, hooks and printing, against what PyTorch does. */
class ModuleTest {
  /** The seed's custom layer: a parameter, a buffer and two submodules of its own. */
  static final class Custom extends Module {
    final Linear fc1;
    final Tensor steps;
    final Tensor scale;
    final Linear fc2;

    Custom() {
      fc1 = registerModule("fc1", new Linear(4, 3));
      steps = registerBuffer("steps", Tensor.zeros(1));
      scale = registerParameter("scale", Tensor.ones(1));
      fc2 = registerModule("fc2", new Linear(3, 2, false));
    }

    @Override
    public Tensor forward(Tensor x) {
      return fc2.call(fc1.call(x).relu()).mul(scale);
    }
  }

  static Sequential model() {
    return new Sequential(new Linear(784, 256), new ReLU(), new Sequential(new Linear(256, 10), new Identity()),
        new Flatten(), new Unflatten(1, 2, 5), new Custom());
  }

  @Test
  void printsLikePyTorch() {
    assertEquals("""
        Sequential(
          (0): Linear(in_features=784, out_features=256, bias=True)
          (1): ReLU()
          (2): Sequential(
            (0): Linear(in_features=256, out_features=10, bias=True)
            (1): Identity()
          )
          (3): Flatten(start_dim=1, end_dim=-1)
          (4): Unflatten(dim=1, unflattened_size=(2, 5))
          (5): Custom(
            (fc1): Linear(in_features=4, out_features=3, bias=True)
            (fc2): Linear(in_features=3, out_features=2, bias=False)
          )
        )""", model().toString());
  }

  @Test
  void namesFollowPyTorch() {
    Sequential m = model();
    // PyTorch registers Custom's attributes in assignment order, but puts a module's parameters and
    // buffers before its submodules in state_dict: the same here.
    assertEquals(List.of("0.weight", "0.bias", "2.0.weight", "2.0.bias", "5.scale", "5.steps", "5.fc1.weight",
        "5.fc1.bias", "5.fc2.weight"), new ArrayList<>(m.stateDict().keySet()));
    assertEquals(List.of("", "0", "1", "2", "2.0", "2.1", "3", "4", "5", "5.fc1", "5.fc2"), new ArrayList<>(m.namedModules().keySet()));
    assertEquals(List.of("0.weight", "0.bias", "2.0.weight", "2.0.bias", "5.scale", "5.fc1.weight", "5.fc1.bias", "5.fc2.weight"),
        new ArrayList<>(m.namedParameters().keySet()));
    assertEquals(List.of("5.steps"), new ArrayList<>(m.namedBuffers().keySet()));
    assertEquals(6, m.children().size());
    assertEquals(8, m.parameters().size());
    for (Tensor p : m.parameters()) assertTrue(p.requiresGrad());
  }

  @Test
  void aSharedParameterCountsOnce() {
    Linear shared = new Linear(3, 3);
    Sequential m = new Sequential(shared, new ReLU(), shared);
    assertEquals(2, m.parameters().size());
    assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(m.namedParameters().keySet()));
  }

  @Test
  void linearInitialisationMatchesPyTorchsDistribution() {
    dev.kiln.Kiln.manualSeed(3);
    Linear l = new Linear(400, 300);
    double bound = 1 / Math.sqrt(400);
    double[] w = l.weight.toDoubleArray();
    double mean = 0, var = 0, max = 0;
    for (double v : w) {
      mean += v / w.length;
      max = Math.max(max, Math.abs(v));
    }
    for (double v : w) var += (v - mean) * (v - mean) / w.length;
    assertTrue(max <= bound);
    assertEquals(0, mean, 3e-4);
    assertEquals(bound * bound / 3, var, bound * bound / 3 * 0.02); // uniform(-b, b): variance b^2 / 3
    assertArrayEquals(new long[] {300, 400}, l.weight.shape());
    assertArrayEquals(new long[] {300}, l.bias.shape());
  }

  @Test
  void forwardThroughTheTreeAndBackward() {
    Sequential m = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 2));
    Tensor x = Tensor.randn(5, 4);
    Tensor y = m.call(x);
    assertArrayEquals(new long[] {5, 2}, y.shape());
    y.sum().backward();
    for (Tensor p : m.parameters()) assertNotNull(p.grad());
    m.zeroGrad();
    for (Tensor p : m.parameters()) assertNull(p.grad());
  }

  @Test
  void trainEvalApplyAndFreeze() {
    Sequential m = model();
    assertTrue(m.isTraining());
    m.eval();
    for (Module sub : m.modules()) assertFalse(sub.isTraining());
    m.train();
    for (Module sub : m.modules()) assertTrue(sub.isTraining());
    List<String> visited = new ArrayList<>();
    m.apply(sub -> visited.add(sub.getClass().getSimpleName()));
    assertEquals("Sequential", visited.get(visited.size() - 1), "children first, then the module itself");
    m.requiresGrad(false);
    for (Tensor p : m.parameters()) assertFalse(p.requiresGrad());
  }

  @Test
  void stateDictRoundTripAndErrors() {
    Sequential a = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
    Sequential b = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
    b.loadStateDict(a.stateDict());
    Tensor x = Tensor.randn(4, 3);
    assertArrayEquals(a.call(x).toFloatArray(), b.call(x).toFloatArray());
    // The state dict shares memory: a tensor taken from it follows training.
    Tensor w = a.stateDict().get("0.weight");
    Tensor param = a.parameters().get(0);
    assertEquals(param.dataAddress(), w.dataAddress());
    assertFalse(w.requiresGrad());

    Linear l = new Linear(3, 2);
    Map<String, Tensor> bad = new LinkedHashMap<>();
    bad.put("weight", Tensor.zeros(2, 3));
    bad.put("extra", Tensor.zeros(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.loadStateDict(bad));
    assertEquals("Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: \"bias\". \n\tUnexpected key(s) in state_dict: \"extra\". ", e.getMessage());
    Module.LoadResult r = l.loadStateDict(bad, false);
    assertEquals(List.of("bias"), r.missingKeys());
    assertEquals(List.of("extra"), r.unexpectedKeys());
    assertArrayEquals(new float[6], l.weight.toFloatArray(), "non-strict loading still copies what matches");
    e = assertThrows(IllegalArgumentException.class, () -> new Linear(3, 2).loadStateDict(Map.of("weight", Tensor.zeros(3, 3), "bias", Tensor.zeros(2))));
    assertEquals("Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape torch.Size([3, 3]) from checkpoint, the shape in current model is torch.Size([2, 3]).", e.getMessage());
  }

  @Test
  void hooksSeeAndReplaceInputsAndOutputs() {
    Linear l = new Linear(2, 2);
    List<String> calls = new ArrayList<>();
    RemovableHandle pre = l.registerForwardPreHook((m, in) -> {
      calls.add("pre");
      return new Tensor[] {in[0].mul(0)};
    });
    RemovableHandle post = l.registerForwardHook((m, in, out) -> {
      calls.add("post");
      return ((Tensor) out).add(1);
    });
    Tensor y = l.call(Tensor.ones(1, 2));
    assertEquals(List.of("pre", "post"), calls);
    Tensor expected = l.bias.detach().add(1).unsqueeze(0);
    assertArrayEquals(expected.toFloatArray(), y.toFloatArray());
    pre.remove();
    post.remove();
    assertArrayEquals(l.forward(Tensor.ones(1, 2)).toFloatArray(), l.call(Tensor.ones(1, 2)).toFloatArray());
  }

  @Test
  void toDtypeConvertsInPlaceKeepingIdentity() {
    Custom c = new Custom();
    Tensor before = c.fc1.weight;
    c.to(DType.FLOAT64);
    assertSame(before, c.fc1.weight);
    assertEquals(DType.FLOAT64, c.fc1.weight.dtype());
    assertEquals(DType.FLOAT64, c.steps.dtype());
    assertTrue(c.fc1.weight.requiresGrad());
    c.call(Tensor.randn(DType.FLOAT64, 2, 4)).sum().backward();
    assertEquals(DType.FLOAT64, c.fc1.weight.grad().dtype());
  }

  @Test
  void containers() {
    ModuleList list = new ModuleList(new Linear(2, 2), new ReLU());
    list.add(new Tanh());
    assertEquals(3, list.size());
    assertInstanceOf(Tanh.class, list.get(-1));
    assertEquals(2, list.parameters().size());
    ModuleDict dict = new ModuleDict(Map.of("head", new Linear(2, 1)));
    assertEquals(List.of("head.weight", "head.bias"), new ArrayList<>(dict.stateDict().keySet()));
    assertThrows(IllegalArgumentException.class, () -> dict.get("tail"));
    assertThrows(UnsupportedOperationException.class, () -> list.call(Tensor.ones(1)));
    assertThrows(IllegalArgumentException.class, () -> new Sequential().addModule("a.b", new ReLU()));
  }

  @Test
  void replacingASubmoduleKeepsItsPlace() {
    Sequential net = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    net.addModule("2", new Linear(3, 5)); // a new head, as model[2] = nn.Linear(3, 5)
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(net.stateDict().keySet()));
    assertArrayEquals(new long[] {1, 5}, net.call(Tensor.ones(1, 4)).shape());
    Custom c = new Custom();
    assertThrows(IllegalArgumentException.class, () -> c.addModule("scale", new ReLU()), "a parameter's name");
  }

  @Test
  void tensorAttributesReadAndAssignAsPyTorchsGetattrAndSetattr() {
    Linear m = new Linear(2, 3);
    assertSame(m.weight, m.tensor("weight"));
    assertNull(new Linear(2, 3, false).tensor("bias"), "registered as absent");
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> m.tensor("foo"));
    assertEquals("'Linear' object has no attribute 'foo'", none.getMessage());
    // a parameter is not assigned a plain tensor; a buffer is replaced; another name becomes a plain attribute
    assertThrows(IllegalArgumentException.class, () -> m.setTensor("weight", Tensor.zeros(3, 2)));
    Custom c = new Custom();
    Tensor steps = Tensor.ones(1);
    c.setTensor("steps", steps);
    assertSame(steps, c.namedBuffers().get("steps"));
    Tensor plain = Tensor.ones(2);
    m.setTensor("extra", plain);
    assertSame(plain, m.tensor("extra"));
    assertFalse(m.stateDict().containsKey("extra"), "a plain attribute is not state");
    assertThrows(IllegalArgumentException.class, () -> m.registerBuffer("extra", Tensor.ones(1)), "the name is taken");
    m.deleteAttribute("extra");
    assertThrows(IllegalArgumentException.class, () -> m.tensor("extra"));

    // a property: computed on every read (what forward reads), assigned through its setter
    Tensor[] assigned = new Tensor[1];
    Tensor w = m.weight;
    m.deleteAttribute("weight");
    m.registerProperty("weight", new TensorProperty() {
      public Tensor get() {
        return w.mul(2);
      }

      public void set(Tensor value) {
        assigned[0] = value;
      }
    });
    Tensor x = Tensor.ones(1, 2);
    assertEquals(x.matmul(w.mul(2).t()).add(m.bias).toDoubleArray()[0], m.call(x).toDoubleArray()[0], 1e-6);
    m.setTensor("weight", x);
    assertSame(x, assigned[0]);
    assertEquals("ParametrizedLinear(in_features=2, out_features=3, bias=True)", m.toString());
    assertEquals(List.of("bias"), List.copyOf(m.namedParameters().keySet()));
    assertThrows(IllegalArgumentException.class, () -> m.registerParameter("weight", Tensor.ones(3, 2)), "the name is taken");
    m.deleteAttribute("weight");
    m.registerParameter("weight", w);
    assertEquals("Linear(in_features=2, out_features=3, bias=True)", m.toString());
    assertEquals(List.of("bias", "weight"), List.copyOf(m.namedParameters().keySet()));
  }

  @Test
  void forwardPreHooksAreListedInOrder() {
    Linear m = new Linear(2, 2);
    ForwardPreHook a = (mod, in) -> null, b = (mod, in) -> null;
    m.registerForwardPreHook(a);
    var handle = m.registerForwardPreHook(b);
    assertEquals(List.of(a, b), m.forwardPreHooks());
    handle.remove();
    assertEquals(List.of(a), m.forwardPreHooks());
  }
}
