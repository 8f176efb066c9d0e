package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonParser;
import dev.kiln.DType;
import dev.kiln.KilnException;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import dev.kiln.ValuesAndIndices;
import dev.kiln.parity.Fixtures.Case;
import dev.kiln.parity.Fixtures.Input;
import dev.kiln.parity.OpMap.OpCall;
import dev.kiln.parity.TensorAssert.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/**
 * Replays every PyTorch fixture case against Kiln: one dynamic test per case; a gradient case (grads.json) also
 * runs backward and compares each input's grad. Regenerate the fixtures with tools/fixtures/generate_fixtures.py;
 * an op name this class does not map fails its case.
 */
class ParityTest {
  // ---------------------------------------------------------------- the tests

  @TestFactory
  Stream<DynamicNode> pytorchParity() {
    return Fixtures.FAMILIES.stream().map(family -> dynamicContainer(family,
        Fixtures.load(family).stream().map(c -> dynamicTest(c.name(), () -> check(c)))));
  }

  /** Runs one case and checks it against PyTorch's answer (an op with several outputs may give a List of them). */
  static void check(Case c) {
    OpCall call = OpMap.get(c.op());
    if (call == null) throw new AssertionFailedError(c + ": unknown op '" + c.op() + "' (map it in an OpMap family)");
    if (c.grad() != null) {
      checkGrad(c, call);
      return;
    }
    try (TensorScope scope = TensorScope.open()) {
      List<Input> inputs = new ArrayList<>();
      for (Fixtures.TensorSpec s : c.inputs()) inputs.add(Fixtures.build(s));
      List<Tensor> x = inputs.stream().map(Input::tensor).toList();
      if (c.error() != null) {
        checkError(c, call, inputs, x);
        return;
      }
      boolean inPlace = c.op().endsWith("_");
      List<Snapshot> before = x.stream().map(Snapshot::of).toList();
      Object result = call.call(x, c.args());
      assertTrue(c.args().unread().isEmpty(), () -> c + ": arguments the Java call ignored: " + c.args().unread());
      if (c.expectedStr() != null) {
        assertEquals(c.expectedStr(), result, c + ": str");
        return;
      }
      assertNotNull(c.expected(), c + ": the case has no expected result");
      List<Tensor> outs = outputs(result, c);
      assertEquals(c.expected().size(), outs.size(), c + ": number of outputs");
      for (int i = 0; i < outs.size(); i++) {
        Fixtures.TensorSpec e = c.expected().get(i);
        TensorAssert.assertMatches(e, outs.get(i), c + ": output " + i);
        if (e.stride() != null) TensorAssert.assertStrides(e.stride(), outs.get(i), c + ": output " + i);
      }
      if (inPlace) assertSame(x.get(0), outs.get(0), c + ": an in-place op returns its tensor");
      if (c.baseAfter() != null) TensorAssert.assertMatches(c.baseAfter(), inputs.get(0).base(), c + ": the viewed base");
      if (c.sharesInput() != null) {
        boolean shares = TensorAssert.storageBase(outs.get(0)) == TensorAssert.storageBase(x.get(0));
        assertEquals(c.sharesInput(), shares, c + ": output shares the input's memory");
      }
      for (int i = inPlace ? 1 : 0; i < x.size(); i++) before.get(i).assertUnchanged(x.get(i), c + ": input " + i);
    }
  }

  private static void checkError(Case c, OpCall call, List<Input> inputs, List<Tensor> x) {
    List<Snapshot> before = x.stream().map(Snapshot::of).toList();
    List<Snapshot> bases = inputs.stream().map(i -> Snapshot.of(i.base())).toList();
    RuntimeException e = assertThrows(RuntimeException.class, () -> call.call(x, c.args()),
        () -> c + ": PyTorch raises " + c.error());
    assertTrue(e instanceof KilnException || e instanceof IllegalArgumentException,
        () -> c + ": expected a KilnException or IllegalArgumentException, got " + e);
    String name = opNameInMessages(c.op());
    assertTrue(e.getMessage() != null && e.getMessage().contains(name),
        () -> c + ": the message should name the op '" + name + "': " + e.getMessage());
    for (int i = 0; i < x.size(); i++) {
      before.get(i).assertUnchanged(x.get(i), c + ": input " + i + " after the error");
      bases.get(i).assertUnchanged(inputs.get(i).base(), c + ": the base of input " + i + " after the error");
    }
  }

  /** The name an op's error messages start with: in-place and *_as/_like forms report the op itself. */
  static String opNameInMessages(String op) {
    return switch (op) {
      case "expand_as" -> "expand";
      case "zeros_like" -> "zeros";
      case "ones_like" -> "ones";
      default -> op.endsWith("_") ? op.substring(0, op.length() - 1) : op;
    };
  }

  // ---------------------------------------------------------------- gradients

  /**
   * Runs a gradient case: builds the inputs as PyTorch did (leaves that require grad, then views), runs the op
   * and its steps, checks the output's grad_fn name, runs backward with the case's seed and compares each
   * leaf's grad with PyTorch's.
   */
  static void checkGrad(Case c, OpCall call) {
    Fixtures.Grad g = c.grad();
    try (TensorScope scope = TensorScope.open()) {
      List<Tensor> leaves = new ArrayList<>(), x = new ArrayList<>();
      for (int i = 0; i < c.inputs().size(); i++) {
        Fixtures.GradInput how = g.inputs().get(i);
        if (how.sameAs() != null) {
          leaves.add(null); // not a leaf of its own: its gradient is input sameAs's
          x.add(x.get(how.sameAs()));
          continue;
        }
        Input in = Fixtures.build(c.inputs().get(i), how.requiresGrad());
        leaves.add(in.base());
        x.add(how.times() == null ? in.tensor() : in.tensor().mul(how.times()));
      }
      Tensor out = outputs(call.call(x, c.args()), c).get(0);
      assertTrue(c.args().unread().isEmpty(), () -> c + ": arguments the Java call ignored: " + c.args().unread());
      for (Fixtures.Step step : g.then()) {
        OpCall stepCall = OpMap.get(step.op());
        if (stepCall == null) throw new AssertionFailedError(c + ": unknown op '" + step.op() + "' in then");
        out = outputs(stepCall.call(List.of(out), step.args()), c).get(0);
        assertTrue(step.args().unread().isEmpty(), () -> c + ": arguments the Java call ignored: " + step.args().unread());
      }
      String gradFn = out.gradFn() == null ? null : out.gradFn().name();
      // A float64 gradient that flowed through float32 ops has float32 precision (PyTorch sums in float32).
      DType precision = out.dtype() == DType.FLOAT32
          || c.inputs().stream().anyMatch(s -> s.dtype() == DType.FLOAT32) ? DType.FLOAT32 : DType.FLOAT64;
      out.backward(g.gradOutput() == null ? null : Fixtures.tensorOf(g.gradOutput()));
      for (int i = 0; i < leaves.size(); i++) {
        if (leaves.get(i) == null) continue;
        Fixtures.TensorSpec expected = g.grads().get(i);
        Tensor actual = leaves.get(i).grad();
        String what = c + ": grad of input " + i;
        if (expected == null) {
          assertNull(actual, () -> what + ": PyTorch gives None, Kiln gives " + actual);
        } else {
          assertNotNull(actual, what + ": Kiln gives null, PyTorch " + Arrays.toString(expected.shape()));
          TensorAssert.assertMatches(expected, actual, what, precision);
        }
      }
      checkGradFnName(c, g.gradFn(), gradFn);
    }
  }

  /**
   * grad_fn names that differ from PyTorch's for a reason that does not matter to a user: the pair is not
   * asserted. PyTorch numbers the nodes of an op's overloads (SumBackward1 is sum over dims) where Kiln has one
   * op row, and its composites record the nodes of the ops they run.
   */
  record NameDifference(String pytorch, String kiln, String reason) {}

  static final List<NameDifference> NAME_DIFFERENCES = List.of(
      new NameDifference("TBackward0", "TransposeBackward0", "t() is a composite that runs transpose"),
      new NameDifference("CopyBackwards", "CopyBackward0", "PyTorch's hand-written copy_ node keeps a legacy name"),
      new NameDifference("FillBackward2", "FillBackward0", "PyTorch numbers fill_'s overloads; Kiln has one row"),
      new NameDifference("FillBackward3", "FillBackward0", "PyTorch numbers fill_'s overloads; Kiln has one row"),
      new NameDifference("SumBackward1", "SumBackward0", "sum over dims is PyTorch's second overload; one row in Kiln"),
      new NameDifference("MeanBackward1", "MeanBackward0", "mean over dims is PyTorch's second overload; one row in Kiln"),
      new NameDifference("PowBackward1", "PowBackward0", "a tensor exponent is PyTorch's second overload; one row in Kiln"),
      new NameDifference("SqueezeBackward1", "SqueezeBackward0", "squeeze(dim) is PyTorch's second overload; one row in Kiln"),
      new NameDifference("MaxBackward1", "MaxBackward0", "max() over all is PyTorch's second overload"),
      new NameDifference("MinBackward1", "MinBackward0", "min() over all is PyTorch's second overload"),
      new NameDifference("MaxBackward0", "MaxDimBackward0", "max along a dim is its own row, max_dim, in Kiln"),
      new NameDifference("MinBackward0", "MinDimBackward0", "min along a dim is its own row, min_dim, in Kiln"),
      new NameDifference("ReshapeAliasBackward0", "ViewBackward0", "PyTorch 1.13's reshape (and flatten) records "
          + "_reshape_alias where a view will do; Kiln's reshape composite runs view"),
      new NameDifference("UnsafeViewBackward0", "ViewBackward0", "PyTorch reshapes a copy (reshape, flatten, "
          + "matmul's folded or batched product) with _unsafe_view; Kiln with view"),
      new NameDifference("DotBackward0", "ViewBackward0", "Kiln's matmul runs 1-D x 1-D as mm, then a reshape to 0-dim"),
      new NameDifference("MvBackward0", "SqueezeBackward0", "Kiln's matmul runs 2-D x 1-D as mm, then squeeze"),
      new NameDifference("SqueezeBackward3", "SqueezeBackward0", "1-D x 2-D: mm then squeeze; PyTorch squeezes in place"),
      new NameDifference("CloneBackward0", "ViewBackward0", "2-D x batch: PyTorch transposes the product and makes it "
          + "contiguous; Kiln reshapes the bmm result"),
      new NameDifference("DivBackward0", "SoftsignBackward0", "PyTorch composes softsign of abs, add and div; Kiln "
          + "has a fused op"),
      new NameDifference("ReflectionPad1DBackward0", "ReflectionPadBackward0", "one reflection_pad row for 1 to 3 dims"),
      new NameDifference("ReflectionPad2DBackward0", "ReflectionPadBackward0", "one reflection_pad row for 1 to 3 dims"),
      new NameDifference("ReplicationPad1DBackward0", "ReplicationPadBackward0", "one replication_pad row for 1 to 3 dims"),
      new NameDifference("ReplicationPad2DBackward0", "ReplicationPadBackward0", "one replication_pad row for 1 to 3 dims"),
      new NameDifference("CopySlices", "CircularPadBackward0", "PyTorch 1.13 pads circularly in Python, by in-place "
          + "writes to slices; Kiln has a circular_pad row"),
      new NameDifference("MaskedFillBackward1", "MaskedFillBackward0", "a tensor value is PyTorch's second overload; "
          + "one row in Kiln"),
      new NameDifference("RoundBackward1", "RoundBackward0", "round(decimals) is PyTorch's second overload; one row in Kiln"),
      new NameDifference("ClampBackward1", "ClampBackward0", "clamp with scalar bounds is PyTorch's second overload; "
          + "one row in Kiln"),
      new NameDifference("ClampMinBackward1", "ClampMinBackward0", "clamp_min(Tensor) is PyTorch's second overload"),
      new NameDifference("ClampMaxBackward1", "ClampMaxBackward0", "clamp_max(Tensor) is PyTorch's second overload"),
      new NameDifference("FmodBackward1", "FmodBackward0", "fmod(Tensor) is PyTorch's second overload"),
      new NameDifference("RemainderBackward1", "RemainderBackward0", "remainder(Tensor) is PyTorch's second overload"),
      new NameDifference("LerpBackward1", "LerpBackward0", "lerp with a tensor weight is PyTorch's second overload"),
      new NameDifference("ProdBackward1", "ProdBackward0", "prod along a dim is PyTorch's second overload; one row in Kiln"),
      new NameDifference("NormBackward1", "NormBackward0", "norm over dims is PyTorch's second overload; one row in Kiln"),
      new NameDifference("MedianBackward1", "MedianDimBackward0", "median along a dim is its own row, median_dim, in Kiln"),
      new NameDifference("NanmedianBackward1", "NanmedianDimBackward0", "nanmedian along a dim is its own row, "
          + "nanmedian_dim, in Kiln"),
      new NameDifference("SortBackward1", "SortBackward0", "sort(stable=...) is PyTorch's second overload; one row in "
          + "Kiln"),
      new NameDifference("AddmmBackward0", "LinearBackward0", "PyTorch's linear is a composite (addmm for 2-D input "
          + "with a bias); Kiln's is one op, one GEMM"),
      new NameDifference("MmBackward0", "LinearBackward0", "PyTorch's linear without a bias runs mm (matmul)"),
      new NameDifference("ViewBackward0", "LinearBackward0", "PyTorch's linear folds a contiguous N-D input into addmm, "
          + "then views the result"),
      new NameDifference("AddBackward0", "LinearBackward0", "PyTorch's linear runs matmul then add for other inputs"),
      new NameDifference("UnsafeViewBackward0", "LinearBackward0", "PyTorch's linear without a bias on N-D input: matmul"),
      new NameDifference("UpsampleNearest2DBackward1", "UpsampleNearest2DBackward0", "interpolate runs the .vec "
          + "overload, PyTorch's second; one row in Kiln"),
      new NameDifference("UpsampleBilinear2DBackward1", "UpsampleBilinear2DBackward0", "interpolate runs the .vec "
          + "overload, PyTorch's second; one row in Kiln"),
      new NameDifference("UpsampleNearest3DBackward1", "UpsampleNearest3DBackward0", "interpolate runs the .vec "
          + "overload, PyTorch's second; one row in Kiln"),
      new NameDifference("UpsampleTrilinear3DBackward1", "UpsampleTrilinear3DBackward0", "interpolate runs the .vec "
          + "overload, PyTorch's second; one row in Kiln"),
      new NameDifference("UpsampleBicubic2DBackward1", "UpsampleBicubic2DBackward0", "interpolate runs the .vec "
          + "overload, PyTorch's second; one row in Kiln"),
      new NameDifference("UpsampleNearestExact2DBackward1", "UpsampleNearest2DBackward0", "nearest-exact is a flag "
          + "of Kiln's nearest rows"),
      new NameDifference("MaxUnpool2DBackward0", "ViewBackward0", "Kiln's max_unpool is a composite: a scatter into "
          + "zeros over the flattened planes, then a view"),
      new NameDifference("MaxUnpool3DBackward0", "ViewBackward0", "Kiln's max_unpool is a composite: a scatter into "
          + "zeros over the flattened volumes, then a view"),
      new NameDifference("GridSampler2DBackward0", "GridSampleBackward0", "PyTorch's grid_sample calls grid_sampler, "
          + "then grid_sampler_2d; one row in Kiln"),
      new NameDifference("GridSampler3DBackward0", "GridSampleBackward0", "PyTorch's grid_sample calls grid_sampler, "
          + "then grid_sampler_3d for 5-D input; one row in Kiln"),
      new NameDifference("AffineGridGeneratorBackward0", "ViewBackward0", "Kiln's affine_grid is a composite: a "
          + "matmul of the base grid, then a view"),
      new NameDifference("UpsampleNearest1DBackward1", "SqueezeBackward0", "Kiln upsamples 1-D as 2-D over [N, C, 1, W]"),
      new NameDifference("UpsampleLinear1DBackward1", "SqueezeBackward0", "Kiln upsamples 1-D as 2-D over [N, C, 1, W]"),
      new NameDifference("MulBackward0", "NativeRmsNormBackward0", "PyTorch 1.13 has no rms_norm: the reference is "
          + "PyTorch 2's composite, whose last op is a mul; Kiln's is a fused op"),
      new NameDifference("NllLossBackward0", "CrossEntropyBackward0", "PyTorch composes cross_entropy of log_softmax and "
          + "nll_loss; Kiln has one fused op"),
      new NameDifference("NllLoss2DBackward0", "CrossEntropyBackward0", "PyTorch composes cross_entropy of log_softmax "
          + "and nll_loss2d for spatial inputs; one fused op in Kiln"),
      new NameDifference("ViewBackward0", "CrossEntropyBackward0", "PyTorch reshapes inputs of 5 or more dims around "
          + "nll_loss2d; one fused op in Kiln"),
      new NameDifference("AddBackward0", "CrossEntropyBackward0", "PyTorch composes label smoothing of nll_loss and a "
          + "weighted sum; the fused op smooths in Kiln"),
      new NameDifference("NegBackward0", "CrossEntropyBackward0", "PyTorch composes probability targets of ops "
          + "(-(log_softmax * target).sum); the fused op takes them in Kiln"),
      new NameDifference("DivBackward1", "CrossEntropyBackward0", "PyTorch composes the mean over probability targets "
          + "of ops; the fused op takes them in Kiln"),
      new NameDifference("NllLoss2DBackward0", "NllLossBackward0", "nll_loss2d is its own op in PyTorch; one nll_loss "
          + "row for every rank in Kiln"),
      new NameDifference("ViewBackward0", "NllLossBackward0", "PyTorch reshapes 3-dim and 5-or-more-dim inputs around "
          + "nll_loss2d; one row in Kiln"),
      new NameDifference("AbsBackward0", "L1LossBackward0", "PyTorch 1.13 composes l1_loss of abs and a reduction; "
          + "Kiln has a fused op"),
      new NameDifference("MeanBackward0", "L1LossBackward0", "PyTorch 1.13 composes l1_loss of abs and mean"),
      new NameDifference("SumBackward0", "L1LossBackward0", "PyTorch 1.13 composes l1_loss of abs and sum"),
      new NameDifference("SubBackward0", "KlDivBackward0", "PyTorch 1.13 composes kl_div of xlogy, mul and sub; Kiln has "
          + "a fused op"),
      new NameDifference("MulBackward0", "KlDivBackward0", "PyTorch 1.13 composes kl_div with log_target of exp, sub "
          + "and mul"),
      new NameDifference("MeanBackward0", "KlDivBackward0", "PyTorch 1.13 composes kl_div's mean of ops"),
      new NameDifference("SumBackward0", "KlDivBackward0", "PyTorch 1.13 composes kl_div's sum of ops"),
      new NameDifference("SoftMarginLossBackward0", "Log1PBackward0", "soft_margin_loss is a fused op in PyTorch, a "
          + "composite of log1p(exp(-target input)) in Kiln"),
      new NameDifference("SoftMarginLossBackward0", "MeanBackward0", "soft_margin_loss is a composite in Kiln"),
      new NameDifference("SoftMarginLossBackward0", "SumBackward0", "soft_margin_loss is a composite in Kiln"),
      new NameDifference("MultiMarginLossBackward0", "ViewBackward0", "multi_margin_loss is a fused op in PyTorch, a "
          + "composite of gather, relu and sums in Kiln (its unreduced loss ends in a view to the target's shape)"),
      new NameDifference("MultiMarginLossBackward0", "MeanBackward0", "multi_margin_loss is a composite in Kiln"),
      new NameDifference("MultiMarginLossBackward0", "SumBackward0", "multi_margin_loss is a composite in Kiln"),
      new NameDifference("ClampBackward1", "ClampMinBackward0", "PyTorch's triplet_margin_with_distance_loss runs "
          + "clamp(min=0), Kiln's clamp_min"));

  /**
   * Composite ops whose last node is an implementation detail on both sides (einsum ends in whichever of permute,
   * sum, view or bmm its plan needs): their grad_fn names are not compared, their gradients are.
   */
  static final Set<String> ANY_GRAD_FN = Set.of("einsum");

  static void checkGradFnName(Case c, String pytorch, String kiln) {
    if (Objects.equals(pytorch, kiln) || ANY_GRAD_FN.contains(c.op())) return;
    for (NameDifference d : NAME_DIFFERENCES) if (d.pytorch().equals(pytorch) && d.kiln().equals(kiln)) return;
    fail(c + ": grad_fn is " + kiln + ", PyTorch's is " + pytorch);
  }

  private static List<Tensor> outputs(Object result, Case c) {
    if (result instanceof Tensor t) return List.of(t);
    if (result instanceof ValuesAndIndices vi) return List.of(vi.values(), vi.indices());
    if (result instanceof List<?> l && l.stream().allMatch(t -> t instanceof Tensor)) {
      return l.stream().map(t -> (Tensor) t).toList(); // split, unbind, nonzero(as_tuple): several outputs
    }
    throw new AssertionFailedError(c + ": op '" + c.op() + "' gave " + result + ", not a tensor");
  }

  // ---------------------------------------------------------------- the mechanism itself

  @Test
  void everyMappedOpHasFixtures() {
    Set<String> used = new TreeSet<>();
    for (String family : Fixtures.FAMILIES) for (Case c : Fixtures.load(family)) used.add(c.op());
    Set<String> unused = new TreeSet<>(OpMap.names());
    unused.removeAll(used);
    assertTrue(unused.isEmpty(), "ops without a fixture case: " + unused);
  }

  @Test
  void unknownOpFails() {
    Case c = Fixtures.parseCase("test", JsonParser.parseString(
        "{\"name\":\"x\",\"op\":\"frobnicate\",\"inputs\":[],\"args\":{},\"expected\":[]}").getAsJsonObject());
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> check(c));
    assertTrue(e.getMessage().contains("frobnicate"), e.getMessage());
  }

  @Test
  void ignoredArgumentFails() {
    Case c = Fixtures.parseCase("test", JsonParser.parseString(
        "{\"name\":\"x\",\"op\":\"neg\",\"inputs\":[{\"dtype\":\"float32\",\"shape\":[1],\"data\":[1.0]}],"
            + "\"args\":{\"dim\":0},\"expected\":[{\"dtype\":\"float32\",\"shape\":[1],\"data\":[-1.0]}]}")
        .getAsJsonObject());
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> check(c));
    assertTrue(e.getMessage().contains("dim"), e.getMessage());
  }

  @Test
  void wrongValueFails() {
    Case c = Fixtures.parseCase("test", JsonParser.parseString(
        "{\"name\":\"x\",\"op\":\"neg\",\"inputs\":[{\"dtype\":\"float32\",\"shape\":[2],\"data\":[1.0,NaN]}],"
            + "\"args\":{},\"expected\":[{\"dtype\":\"float32\",\"shape\":[2],\"data\":[-1.0001,NaN]}]}")
        .getAsJsonObject());
    assertThrows(AssertionFailedError.class, () -> check(c));
  }

  @Test
  void missingErrorFails() {
    Case c = Fixtures.parseCase("test", JsonParser.parseString(
        "{\"name\":\"x\",\"op\":\"neg\",\"inputs\":[{\"dtype\":\"float32\",\"shape\":[1],\"data\":[1.0]}],"
            + "\"args\":{},\"error\":{\"type\":\"RuntimeError\",\"message\":\"\"}}")
        .getAsJsonObject());
    assertThrows(AssertionFailedError.class, () -> check(c));
  }

  private static final String NEG_GRAD_CASE = "{\"name\":\"x\",\"op\":\"neg\",\"inputs\":[{\"dtype\":\"float32\","
      + "\"shape\":[2],\"data\":[1.0,2.0],\"requires_grad\":true}],\"args\":{},\"grad_output\":{\"dtype\":\"float32\","
      + "\"shape\":[2],\"data\":[1.0,0.5]},\"grads\":[GRAD],\"grad_fn\":\"NAME\"}";

  private static Case negGradCase(String grad, String name) {
    return Fixtures.parseCase("test", JsonParser.parseString(NEG_GRAD_CASE.replace("GRAD", grad).replace("NAME", name))
        .getAsJsonObject());
  }

  @Test
  void gradCaseChecksGradsAndName() {
    String right = "{\"dtype\":\"float32\",\"shape\":[2],\"data\":[-1.0,-0.5]}";
    check(negGradCase(right, "NegBackward0"));
    assertThrows(AssertionFailedError.class, () -> check(negGradCase(right.replace("-0.5", "-0.5001"), "NegBackward0")));
    assertThrows(AssertionFailedError.class, () -> check(negGradCase("null", "NegBackward0")));
    assertThrows(AssertionFailedError.class, () -> check(negGradCase(right, "NegBackward1")));
  }

  @Test
  void everyNameDifferenceOccurs() {
    Set<String> names = new TreeSet<>();
    for (String family : Fixtures.FAMILIES)  // gradient cases live in grads.json and in the families that hold their own
      for (Case c : Fixtures.load(family)) if (c.grad() != null && c.grad().gradFn() != null) names.add(c.grad().gradFn());
    for (NameDifference d : NAME_DIFFERENCES)
      assertTrue(names.contains(d.pytorch()), () -> "no grad case where PyTorch's grad_fn is " + d.pytorch() + ": " + d);
  }

  @Test
  void tolerancesFollowTheDtype() {
    assertTrue(TensorAssert.close(1.0, 1.0 + 5e-6, TensorAssert.F32_RTOL, TensorAssert.F32_ATOL));
    assertTrue(!TensorAssert.close(1.0, 1.0 + 5e-5, TensorAssert.F32_RTOL, TensorAssert.F32_ATOL));
    assertTrue(!TensorAssert.close(1.0, 1.0 + 1e-10, TensorAssert.F64_RTOL, TensorAssert.F64_ATOL));
    assertTrue(TensorAssert.close(Double.NaN, Double.NaN, 0, 0));
    assertTrue(!TensorAssert.close(Double.NaN, 1.0, 1, 1));
    assertTrue(!TensorAssert.close(Double.POSITIVE_INFINITY, Double.MAX_VALUE, 1, 1));
  }
}
