package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Lazy modules before and after their first call: placeholders, printing, the module they become (sizes,
 * initialisation, the same tensor objects), an optimizer made before the first call, dtype conversion before it,
 * state dicts, and bad inputs. Their outputs and gradients against PyTorch are in modules_extra.json.
 */
class LazyModulesTest {
  @Test
  void placeholdersUntilTheFirstCallThenTheModule() {
    LazyLinear lazy = new LazyLinear(3);
    assertTrue(lazy.hasUninitializedParams());
    assertEquals("LazyLinear(in_features=0, out_features=3, bias=True)", lazy.toString());
    List<Tensor> params = lazy.parameters();
    assertEquals(2, params.size());
    assertArrayEquals(new long[] {0}, params.get(0).shape());
    assertThrows(IllegalStateException.class, lazy::materialized);

    Tensor y = lazy.call(Tensor.randn(new Generator(1), 4, 5));
    assertArrayEquals(new long[] {4, 3}, y.shape());
    Linear linear = lazy.materialized();
    assertEquals(5, linear.inFeatures);
    assertSame(params.get(0), linear.weight, "the placeholder is the weight");
    assertSame(params.get(1), linear.bias);
    assertArrayEquals(new long[] {3, 5}, linear.weight.shape());
    double bound = 1 / Math.sqrt(5); // Linear's initialisation
    for (double w : linear.weight.toDoubleArray()) assertTrue(Math.abs(w) <= bound && w != 0);
    assertEquals("Linear(in_features=5, out_features=3, bias=True)", lazy.toString());
    assertFalse(lazy.hasUninitializedParams());
    assertThrows(ShapeException.class, () -> lazy.call(Tensor.zeros(2, 4)));
  }

  @Test
  void anOptimizerMadeBeforeTheFirstCallTrainsTheModule() {
    Sequential net = new Sequential(new LazyLinear(8), new ReLU(), new LazyLinear(1));
    SGD sgd = new SGD(net.parameters(), 0.1);
    Tensor x = Tensor.randn(new Generator(2), 16, 3), target = x.sum(1, true);
    double first = 0, last = 0;
    for (int step = 0; step < 50; step++) {
      sgd.zeroGrad();
      Tensor loss = net.call(x).sub(target).pow(2).mean();
      loss.backward();
      sgd.step();
      if (step == 0) first = loss.item();
      last = loss.item();
    }
    assertTrue(last < first / 4, first + " -> " + last);
  }

  @Test
  void convolutionsAndNormsInferTheirChannels() {
    LazyConv2d conv = new LazyConv2d(ConvOptions.of(0, 4, 3).padding(1).groups(2));
    assertEquals("LazyConv2d(0, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=2)", conv.toString());
    assertArrayEquals(new long[] {4, 5, 5}, conv.call(Tensor.randn(6, 5, 5)).shape()); // unbatched: C is dim 0
    assertArrayEquals(new long[] {4, 3, 3, 3}, conv.materialized().weight.shape());
    LazyConvTranspose1d up = new LazyConvTranspose1d(2, 3, 2, 0, 1);
    assertArrayEquals(new long[] {1, 2, 10}, up.call(Tensor.randn(1, 5, 4)).shape());
    assertEquals(5, up.materialized().inChannels);

    LazyBatchNorm2d bn = new LazyBatchNorm2d();
    assertEquals("LazyBatchNorm2d(0, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", bn.toString());
    assertArrayEquals(new long[] {0}, bn.stateDict().get("running_mean").shape());
    assertEquals(0L, bn.stateDict().get("num_batches_tracked").itemLong());
    bn.call(Tensor.randn(4, 3, 2, 2));
    assertEquals(3, bn.materialized().numFeatures);
    assertEquals(1L, bn.stateDict().get("num_batches_tracked").itemLong());
    bn.eval();
    bn.call(Tensor.randn(4, 3, 2, 2));
    assertEquals(1L, bn.stateDict().get("num_batches_tracked").itemLong(), "evaluation mode reaches the module");

    LazyInstanceNorm1d plain = new LazyInstanceNorm1d(1e-5, 0.1, false, false); // nothing to shape: C still known
    assertTrue(plain.parameters().isEmpty());
    plain.call(Tensor.randn(7, 9));
    assertEquals(7, plain.materialized().numFeatures);
    assertThrows(ShapeException.class, () -> new LazyConv1d(2, 3).call(Tensor.zeros(2, 2, 2, 2)));
    assertThrows(IllegalArgumentException.class, () -> new LazyConv2d(ConvOptions.of(0, 3, 3).groups(2)));
    assertThrows(IllegalArgumentException.class, // 3 channels in 2 groups
        () -> new LazyConv2d(ConvOptions.of(0, 4, 3).groups(2)).call(Tensor.zeros(1, 3, 5, 5)));
  }

  @Test
  void dtypeBeforeTheFirstCallAndStateDicts() {
    LazyLinear lazy = new LazyLinear(2);
    lazy.to(DType.FLOAT64);
    lazy.call(Tensor.randn(new Generator(3), DType.FLOAT64, 3, 4));
    assertEquals(DType.FLOAT64, lazy.materialized().weight.dtype());

    Linear source = new Linear(6, 2);
    LazyLinear target = new LazyLinear(2);
    target.loadStateDict(source.stateDict()); // the state's shapes materialize it
    assertEquals(6, target.materialized().inFeatures);
    assertArrayEquals(source.weight.toDoubleArray(), target.materialized().weight.toDoubleArray(), 0.0);
    LazyConv1d conv = new LazyConv1d(ConvOptions.of(0, 4, 3).groups(2));
    conv.loadStateDict(new Conv1d(ConvOptions.of(6, 4, 3).groups(2)).stateDict());
    assertEquals(6, conv.materialized().inChannels);
  }
}
