package dev.kiln.nn.utils;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTMCell;
import dev.kiln.nn.LazyLinear;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.RNN;
import dev.kiln.nn.RNNOptions;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import dev.kiln.nn.functional.Normalization;
import dev.kiln.optim.SGD;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torch.nn.utils.parametrize with user-written parametrizations: registration and assignment through right_inverse,
 * chains, several originals, removal, caching, training the originals, state dicts, printing and PyTorch's errors
 * (messages as PyTorch 1.13 writes them). ParametrizeParityTest compares the values with PyTorch's.
 */
class ParametrizeTest {
  /** PyTorch's documentation example: the upper triangle mirrored. */
  static final class Symmetric extends Module implements RightInverse {
    int calls;

    @Override
    public Tensor forward(Tensor x) {
      calls++;
      return x.triu().add(x.triu(1).transpose(-2, -1));
    }

    @Override
    public Tensor rightInverse(Tensor a) {
      return a.triu();
    }
  }

  /** w = s * d from (s, d). */
  static final class ScaledDirection extends MultiTensorParametrization {
    @Override
    public Tensor forward(List<Tensor> t) {
      return t.get(1).mul(t.get(0));
    }

    @Override
    public List<Tensor> rightInverse(Tensor w) {
      Tensor s = w.norm();
      return List.of(s, w.div(s));
    }
  }

  /** Changes the dtype: refused unless unsafe. */
  static final class ToDouble extends Module {
    @Override
    public Tensor forward(Tensor x) {
      return x.to(DType.FLOAT64);
    }
  }

  /** Changes the shape: refused unless unsafe. */
  static final class Flat extends Module {
    @Override
    public Tensor forward(Tensor x) {
      return x.flatten();
    }
  }

  static Tensor symmetric(int n) {
    Tensor a = Tensor.randn(n, n);
    return a.add(a.t());
  }

  static void assertClose(Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape());
    double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol, "element " + i);
  }

  @Test
  void aParametrizedWeightIsComputedFromTheOriginalAndAssignedThroughTheRightInverse() {
    Linear m = new Linear(5, 5);
    Tensor before = m.weight.clone();
    assertSame(m, Parametrize.registerParametrization(m, "weight", new Symmetric()));
    Tensor w = m.tensor("weight");
    assertClose(w.t(), w, 0);
    // the original is the layer's own tensor, started at right_inverse(weight)
    ParametrizationList list = Parametrize.parametrizations(m, "weight");
    assertSame(m.weight, list.original());
    assertClose(before.triu(), list.original(), 0);
    assertTrue(list.isTensor());
    assertEquals(1, list.ntensors());
    // forward uses the parametrized weight
    Tensor x = Tensor.randn(3, 5);
    assertClose(x.matmul(w.t()).add(m.bias), m.call(x), 1e-6);
    // module.weight = A
    Tensor a = symmetric(5);
    m.setTensor("weight", a);
    assertClose(a, m.tensor("weight"), 1e-6);
    assertClose(a.triu(), list.original(), 0);
    assertEquals(List.of("bias", "parametrizations.weight.original"), List.copyOf(m.namedParameters().keySet()));
    assertEquals(List.of("bias", "parametrizations.weight.original"), List.copyOf(m.stateDict().keySet()));
    assertTrue(Parametrize.isParametrized(m));
    assertTrue(Parametrize.isParametrized(m, "weight"));
    assertFalse(Parametrize.isParametrized(m, "bias"));
    assertFalse(Parametrize.isParametrized(new Linear(2, 2)));
  }

  @Test
  void gradientsFlowToTheOriginal() {
    Linear m = Parametrize.registerParametrization(new Linear(3, 3), "weight", new Symmetric());
    Tensor x = Tensor.randn(2, 3);
    m.call(x).sum().backward();
    // d(sum)/d(weight) is G[i][j] = sum over the batch of x[., j]; through triu(O) + triu(O, 1)^T the original's
    // upper triangle gets G's entry and, off the diagonal, its mirror's; below the diagonal nothing
    Tensor g = Tensor.ones(3, 1).matmul(x.sum(new int[] {0}, true));
    assertClose(g.triu().add(g.t().triu(1)), m.weight.grad(), 1e-6);
  }

  @Test
  void chainedParametrizationsApplyInTurnAndPrintAsPyTorch() {
    Linear m = new Linear(3, 3);
    Parametrize.registerParametrization(m, "weight", new Symmetric());
    Parametrize.registerParametrization(m, "weight", new Tanh());
    Tensor original = Parametrize.parametrizations(m, "weight").original();
    assertClose(original.triu().add(original.triu(1).t()).tanh(), m.tensor("weight"), 1e-6);
    assertEquals("""
        ParametrizedLinear(
          in_features=3, out_features=3, bias=True
          (parametrizations): ModuleDict(
            (weight): ParametrizationList(
              (0): Symmetric()
              (1): Tanh()
            )
          )
        )""", m.toString());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.setTensor("weight", Tensor.eye(3)));
    assertEquals("parametrization Tanh does not implement right_inverse.", e.getMessage());
    // a module holding it prints it nested
    assertTrue(new Sequential(m).toString().contains("(0): ParametrizedLinear(\n    in_features=3"));
  }

  @Test
  void parametrizationsOfSeveralTensorsKeepOriginal0AndOriginal1() {
    Linear m = new Linear(4, 3);
    Tensor w = m.weight.clone();
    Parametrize.registerParametrization(m, "weight", new ScaledDirection());
    ParametrizationList list = Parametrize.parametrizations(m, "weight");
    assertFalse(list.isTensor());
    assertEquals(2, list.ntensors());
    assertEquals(List.of("bias", "parametrizations.weight.original0", "parametrizations.weight.original1"),
        List.copyOf(m.namedParameters().keySet()));
    assertEquals(0, list.original(0).dim());
    assertTrue(list.original(0).requiresGrad() && list.original(0).isLeaf());
    assertClose(w, m.tensor("weight"), 1e-6);
    Tensor target = Tensor.randn(3, 4);
    m.setTensor("weight", target);
    assertClose(target, m.tensor("weight"), 1e-5);
    assertEquals(target.norm().item(), list.original(0).item(), 1e-5);
    assertThrows(IllegalArgumentException.class, list::original);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parametrize.removeParametrizations(m, "weight", false));
    assertEquals("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized in terms of a sequence of tensors.",
        e.getMessage());
    Parametrize.removeParametrizations(m, "weight");
    assertSame(m.weight, m.tensor("weight"), "the layer's own tensor again");
    assertClose(target, m.weight, 1e-5);
    assertEquals(List.of("bias", "weight"), List.copyOf(m.namedParameters().keySet()));
    assertTrue(m.weight.requiresGrad());
    // a several-tensor parametrization can only come first
    Parametrize.registerParametrization(m, "weight", new Tanh());
    assertThrows(IllegalArgumentException.class, () -> Parametrize.registerParametrization(m, "weight", new ScaledDirection()));
  }

  @Test
  void removingLeavesTheParametrizedValueOrTheOriginalInTheLayersOwnTensor() {
    Linear m = new Linear(4, 4);
    Parametrize.registerParametrization(m, "weight", new Symmetric());
    Parametrize.registerParametrization(m, "bias", new Tanh());
    Tensor w = m.tensor("weight");
    Parametrize.removeParametrizations(m, "weight", true);
    assertSame(m.weight, m.tensor("weight"));
    assertClose(w, m.weight, 0);
    assertEquals(List.of("weight", "parametrizations.bias.original"), List.copyOf(m.namedParameters().keySet()));
    assertTrue(m.toString().startsWith("ParametrizedLinear("), "bias is still parametrized");
    Tensor b = m.bias.clone();
    Parametrize.removeParametrizations(m, "bias", false);
    assertClose(b, m.tensor("bias"), 0);
    assertSame(m.bias, m.tensor("bias"));
    assertFalse(Parametrize.isParametrized(m));
    assertNull(m.namedChildren().get("parametrizations"));
    assertEquals("Linear(in_features=4, out_features=4, bias=True)", m.toString());
    assertEquals(List.of("weight", "bias"), List.copyOf(m.namedParameters().keySet()));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parametrize.removeParametrizations(m, "weight"));
    assertEquals("Module Linear(in_features=4, out_features=4, bias=True) does not have a parametrization on weight", e.getMessage());
  }

  @Test
  void aFrozenParameterStaysFrozenAndABufferStaysABuffer() {
    Linear m = new Linear(3, 3);
    m.weight.requiresGrad(false);
    Parametrize.registerParametrization(m, "weight", new Symmetric());
    assertFalse(Parametrize.parametrizations(m, "weight").original().requiresGrad());
    Parametrize.removeParametrizations(m, "weight");
    assertFalse(m.weight.requiresGrad());

    Module withBuffer = new Module() {
      final Tensor scale = registerBuffer("scale", Tensor.ones(2, 2));
    };
    Parametrize.registerParametrization(withBuffer, "scale", new Symmetric());
    assertEquals(List.of("parametrizations.scale.original"), List.copyOf(withBuffer.namedBuffers().keySet()));
    assertTrue(withBuffer.namedParameters().isEmpty());
    Parametrize.removeParametrizations(withBuffer, "scale");
    assertEquals(List.of("scale"), List.copyOf(withBuffer.namedBuffers().keySet()));
  }

  @Test
  void cachedComputesEachParametrizedTensorOncePerScope() {
    Linear m = new Linear(3, 3);
    Symmetric s = new Symmetric();
    Parametrize.registerParametrization(m, "weight", s);
    s.calls = 0;
    m.tensor("weight");
    m.tensor("weight");
    assertEquals(2, s.calls, "without the cache every read computes it");
    try (var outer = Parametrize.cached()) {
      Tensor a = m.tensor("weight");
      try (var inner = Parametrize.cached()) {
        assertSame(a, m.tensor("weight"));
      }
      m.call(Tensor.randn(2, 3));
      assertSame(a, m.tensor("weight"), "the inner scope's end keeps the outer's values");
      assertEquals(3, s.calls);
    }
    m.tensor("weight");
    assertEquals(4, s.calls, "the values are dropped with the outermost scope");
  }

  @Test
  void anOptimizerTrainsTheOriginalAndTheConstraintHolds() {
    Linear m = new Linear(4, 4);
    SGD opt = new SGD(m.parameters(), 0.1); // made before: it holds the layer's tensors, which stay the originals
    Parametrizations.orthogonal(m);
    Tensor x = Tensor.randn(8, 4), y = Tensor.randn(8, 4);
    Tensor before = m.weight.clone();
    double first = 0, last = 0;
    for (int step = 0; step < 20; step++) {
      opt.zeroGrad();
      Tensor loss = m.call(x).sub(y).square().mean();
      if (step == 0) first = loss.item();
      last = loss.item();
      loss.backward();
      opt.step();
    }
    assertTrue(last < first, "trained: " + first + " -> " + last);
    assertFalse(before.sub(m.weight).abs().max().item() == 0, "the original moved");
    Tensor w = m.tensor("weight");
    assertClose(Tensor.eye(4), w.t().matmul(w), 1e-5);
  }

  @Test
  void theStateDictRoundTripsThroughAFileIntoAnotherParametrizedModule(@TempDir Path dir) throws Exception {
    Linear a = Parametrizations.spectralNorm(Parametrize.registerParametrization(new Linear(4, 4), "weight", new Symmetric()));
    a.call(Tensor.randn(2, 4)); // a power iteration
    Map<String, Tensor> state = a.stateDict();
    assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.1._u", "parametrizations.weight.1._v"),
        List.copyOf(state.keySet()));
    Path file = dir.resolve("parametrized.safetensors");
    SafeTensors.save(state, file);
    Linear b = Parametrizations.spectralNorm(Parametrize.registerParametrization(new Linear(4, 4), "weight", new Symmetric()));
    b.loadStateDict(SafeTensors.load(file));
    a.eval();
    b.eval();
    Tensor x = Tensor.randn(3, 4);
    assertClose(a.call(x), b.call(x), 1e-6);
    assertClose(a.tensor("weight"), b.tensor("weight"), 1e-6);
    // a plain Linear does not take it
    assertThrows(IllegalArgumentException.class, () -> new Linear(4, 4).loadStateDict(state));
  }

  @Test
  void pytorchsErrors() {
    Linear m = new Linear(3, 3);
    assertMessage("Module 'Linear(in_features=3, out_features=3, bias=True)' does not have a parameter, a buffer, or a parametrized "
        + "element with name 'foo'", () -> Parametrize.registerParametrization(m, "foo", new Symmetric()));
    assertMessage("Registering a parametrization may not change the dtype of the tensor, unless `unsafe` flag is enabled.\n"
        + "unparametrized dtype: torch.float32\nparametrized dtype: torch.float64",
        () -> Parametrize.registerParametrization(m, "weight", new ToDouble()));
    assertMessage("Registering a parametrization may not change the shape of the tensor, unless `unsafe` flag is enabled.\n"
        + "unparametrized shape: torch.Size([3, 3])\nparametrized shape: torch.Size([9])",
        () -> Parametrize.registerParametrization(m, "weight", new Flat()));
    assertFalse(Parametrize.isParametrized(m), "a refused registration leaves the module as it was");
    assertEquals(List.of("weight", "bias"), List.copyOf(m.namedParameters().keySet()));
    Parametrize.registerParametrization(m, "weight", new Symmetric());
    assertMessage("Registering a parametrization may not change the dtype of the tensor, unless the `unsafe` flag is enabled.\n"
        + "module.weight.dtype: torch.float32\nparametrization(module.weight).dtype: torch.float64",
        () -> Parametrize.registerParametrization(m, "weight", new ToDouble()));
    assertMessage("Registering a parametrization may not change the shape of the tensor, unless the `unsafe` flag is enabled.\n"
        + "module.weight.shape: torch.Size([3, 3])\nparametrization(module.weight).shape: torch.Size([9])",
        () -> Parametrize.registerParametrization(m, "weight", new Flat()));
    // unsafe: no checks, and the dtype may change
    Linear u = Parametrize.registerParametrization(new Linear(3, 3), "weight", new ToDouble(), true);
    assertEquals(DType.FLOAT64, u.tensor("weight").dtype());
    assertTrue(Parametrize.parametrizations(u, "weight").unsafe());

    assertMessage("Expected a matrix or batch of matrices. Got a tensor of 1 dimensions.", () -> Parametrizations.orthogonal(new Linear(3, 3), "bias", null, true));
    assertMessage("Module 'Linear(in_features=3, out_features=3, bias=True)' has no parameter or buffer with name 'foo'",
        () -> Parametrizations.orthogonal(new Linear(3, 3), "foo", null, true));
    assertMessage("orthogonal_map has to be one of \"matrix_exp\", \"cayley\", \"householder\". Got: foo",
        () -> Parametrizations.orthogonal(new Linear(3, 3), "weight", "foo", true));
    dev.kiln.IndexException index = assertThrows(dev.kiln.IndexException.class,
        () -> Parametrizations.spectralNorm(new Linear(3, 3), "weight", 1, 1e-12, 2));
    assertEquals("Dimension out of range (expected to be in range of [-2, 1] but got 2)", index.getMessage());
    assertMessage("Expected n_power_iterations to be positive, but got n_power_iterations=0",
        () -> Parametrizations.spectralNorm(new Linear(3, 3), "weight", 0, 1e-12, null));
    Linear exp = Parametrizations.orthogonal(new Linear(3, 3), "weight", "matrix_exp", false);
    UnsupportedOperationException ni = assertThrows(UnsupportedOperationException.class, () -> exp.setTensor("weight", Tensor.eye(3)));
    assertEquals("It is not possible to assign to the matrix exponential or the Cayley parametrizations when use_trivialization=False.",
        ni.getMessage());
    assertMessage("Expected a matrix or batch of matrices of shape torch.Size([3, 3]). Got a tensor of shape torch.Size([2, 2]).",
        () -> Parametrizations.orthogonal(new Linear(3, 3)).setTensor("weight", Tensor.eye(2)));
    assertMessage("LazyLinear cannot be parametrized: a lazy module runs the module it will build on its first input, not its own "
        + "tensors; build that layer itself", () -> Parametrizations.spectralNorm(new LazyLinear(3)));
  }

  static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
    assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
  }

  @Test
  void theLayersReadTheirParametrizedTensors() {
    // Kiln's RNNs honour a parametrization (PyTorch 1.13's keep the flat weights they captured; 2.0 fixed that)
    RNN rnn = new RNN(RNNOptions.of(3, 3));
    Parametrize.registerParametrization(rnn, "weight_hh_l0", new Symmetric());
    RNN plain = new RNN(RNNOptions.of(3, 3));
    Map<String, Tensor> state = new java.util.LinkedHashMap<>();
    for (var e : plain.stateDict().keySet()) state.put(e, e.equals("weight_hh_l0") ? rnn.tensor(e).detach() : rnn.tensor(e));
    plain.loadStateDict(state);
    Tensor x = Tensor.randn(4, 2, 3);
    assertClose(plain.forward(x), rnn.forward(x), 1e-6);

    LSTMCell cell = new LSTMCell(3, 3), plainCell = new LSTMCell(3, 3);
    Parametrize.registerParametrization(cell, "weight_hh", new Tanh());
    Map<String, Tensor> cellState = new java.util.LinkedHashMap<>();
    for (var e : plainCell.stateDict().keySet()) cellState.put(e, cell.tensor(e).detach());
    plainCell.loadStateDict(cellState);
    Tensor in3 = Tensor.randn(2, 3), h = Tensor.randn(2, 3), c = Tensor.randn(2, 3);
    assertClose(plainCell.forward(in3, h, c).h(), cell.forward(in3, h, c).h(), 1e-6);

    Embedding emb = new Embedding(4, 4);
    Parametrize.registerParametrization(emb, "weight", new Symmetric());
    Tensor ids = Tensor.of(new long[] {0, 3});
    assertClose(emb.tensor("weight").indexSelect(0, ids), emb.call(ids), 0);

    Conv2d conv = new Conv2d(2, 2, 1);
    Parametrize.registerParametrization(conv, "bias", new Tanh());
    Tensor in = Tensor.randn(1, 2, 2, 2);
    Tensor out = conv.call(in);
    assertClose(dev.kiln.nn.functional.Convolutions.conv(2, in, conv.weight, conv.bias.tanh(), new int[] {1, 1}, new int[] {0, 0},
        new int[] {1, 1}, 1), out, 1e-6);
    assertTrue(conv.toString().startsWith("ParametrizedConv2d(\n  2, 2, kernel_size=(1, 1), stride=(1, 1)\n  (parametrizations): ModuleDict(\n    (bias): ParametrizationList("), conv.toString());
  }

  @Test
  void gradientsThroughTheParametrizationsMatchFiniteDifferences() {
    for (String map : new String[] {"matrix_exp", "cayley", "householder"}) {
      for (long[] shape : new long[][] {{4, 4}, {5, 3}, {3, 5}, {2, 3, 3}}) {
        Tensor w = Tensor.randn(DType.FLOAT64, shape);
        OrthogonalParametrization p = new OrthogonalParametrization(w, OrthogonalParametrization.OrthMap.of(map), false);
        Tensor x = Tensor.randn(DType.FLOAT64, shape).mul(0.5).requiresGrad(true);
        assertTrue(GradCheck.gradcheck(in -> new Tensor[] {p.forward(in[0])}, x), map + " " + java.util.Arrays.toString(shape));
      }
    }
    // through a whole layer: the input and the original both
    Linear m = new Linear(3, 3);
    m.to(DType.FLOAT64);
    Parametrizations.orthogonal(m, "weight", "cayley", true);
    Tensor x = Tensor.randn(DType.FLOAT64, 2, 3).requiresGrad(true);
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {m.call(in[0])}, x, m.weight));

    Linear sn = new Linear(4, 3);
    sn.to(DType.FLOAT64);
    Parametrizations.spectralNorm(sn).eval(); // eval: u and v fixed, a function of the original
    Tensor x4 = Tensor.randn(DType.FLOAT64, 2, 4).requiresGrad(true);
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {sn.call(in[0])}, x4, sn.weight));

    Linear wn = new Linear(4, 3);
    wn.to(DType.FLOAT64);
    WeightNorm.weightNorm(wn);
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {wn.call(in[0])}, x4, wn.tensor("weight_g"), wn.tensor("weight_v")));

    Linear old = new Linear(4, 3);
    old.to(DType.FLOAT64);
    SpectralNorm.spectralNorm(old).eval();
    assertTrue(GradCheck.gradcheck(in -> new Tensor[] {old.call(in[0])}, x4, old.tensor("weight_orig")));

    // the Cayley map's solve, to second order
    Tensor a = Tensor.randn(DType.FLOAT64, 3, 3).add(Tensor.eye(DType.FLOAT64, 3, 3).mul(3)).requiresGrad(true);
    Tensor b = Tensor.randn(DType.FLOAT64, 3, 2).requiresGrad(true);
    assertTrue(GradCheck.gradgradcheck(in -> new Tensor[] {OrthogonalMaps.solve(in[0], in[1])}, a, b));
  }

  @Test
  void theMapsAreOrthogonal() {
    for (String map : new String[] {"matrix_exp", "cayley", "householder"}) {
      for (boolean trivialization : new boolean[] {true, false}) {
        for (long[] shape : new long[][] {{5, 5}, {6, 3}, {3, 6}}) {
          Linear m = new Linear((int) shape[1], (int) shape[0]);
          m.to(DType.FLOAT64);
          Parametrizations.orthogonal(m, "weight", map, trivialization);
          Tensor q = m.tensor("weight");
          Tensor gram = shape[0] >= shape[1] ? q.t().matmul(q) : q.matmul(q.t());
          assertClose(Tensor.eye(DType.FLOAT64, gram.size(0), gram.size(0)), gram, 1e-10);
        }
      }
    }
    // with the trivialization, assigning an orthogonal matrix gives it back; another gives its Q factor
    Linear m = new Linear(4, 4);
    m.to(DType.FLOAT64);
    Parametrizations.orthogonal(m);
    Tensor q = OrthogonalMaps.makeOrthogonal(Tensor.randn(DType.FLOAT64, 4, 4));
    m.setTensor("weight", q);
    assertClose(q, m.tensor("weight"), 1e-12);
    Tensor a = Tensor.randn(DType.FLOAT64, 4, 4);
    m.setTensor("weight", a);
    Tensor r = m.tensor("weight").t().matmul(a); // R of a = QR: upper triangular, positive diagonal
    double[] rv = r.toDoubleArray();
    for (int i = 0; i < 4; i++) {
      assertTrue(rv[i * 4 + i] > 0);
      for (int j = 0; j < i; j++) assertEquals(0, rv[i * 4 + j], 1e-10);
    }
    // householder without the trivialization: assigning an orthogonal matrix gives it back too
    Linear h = new Linear(3, 5);
    h.to(DType.FLOAT64);
    Parametrizations.orthogonal(h, "weight", "householder", false);
    Tensor q53 = OrthogonalMaps.makeOrthogonal(Tensor.randn(DType.FLOAT64, 5, 3));
    h.setTensor("weight", q53);
    assertClose(q53, h.tensor("weight"), 1e-12);
    assertEquals("_Orthogonal()", Parametrize.parametrizations(h, "weight").get(0).toString());
  }

  @Test
  void spectralNormIteratesInTrainingOnlyAndNormalizesToOne() {
    Linear m = new Linear(6, 5);
    m.to(DType.FLOAT64);
    Parametrizations.spectralNorm(m);
    Module sn = Parametrize.parametrizations(m, "weight").get(0);
    assertEquals("_SpectralNorm()", sn.toString());
    // after the 15 steps of registration u and v are close to the singular vectors: sigma(weight) is about 1
    Tensor w = m.tensor("weight");
    Tensor v = Tensor.randn(DType.FLOAT64, 6);
    for (int i = 0; i < 200; i++) v = Normalization.normalize(w.t().matmul(w).mv(v), 2, 0, 1e-12);
    assertEquals(1.0, w.mv(v).norm().item(), 1e-3);
    // evaluation: u and v stay; training: one step of the power method, u from v then v from u
    Tensor u0 = sn.tensor("_u").clone(), v0 = sn.tensor("_v").clone(), original = m.weight.detach();
    m.eval();
    m.call(Tensor.randn(DType.FLOAT64, 2, 6));
    assertClose(u0, sn.tensor("_u"), 0);
    assertClose(v0, sn.tensor("_v"), 0);
    m.train();
    m.call(Tensor.randn(DType.FLOAT64, 2, 6));
    Tensor u1 = Normalization.normalize(original.mv(v0), 2, 0, 1e-12);
    assertClose(u1, sn.tensor("_u"), 1e-12);
    assertClose(Normalization.normalize(original.t().mv(u1), 2, 0, 1e-12), sn.tensor("_v"), 1e-12);
    // 1-D: divided by its norm, no buffers
    Linear b = Parametrizations.spectralNorm(new Linear(3, 4), "bias", 1, 1e-12, null);
    assertEquals(1.0, b.tensor("bias").norm().item(), 1e-6);
    assertTrue(Parametrize.parametrizations(b, "bias").get(0).namedBuffers().isEmpty());
  }
}
