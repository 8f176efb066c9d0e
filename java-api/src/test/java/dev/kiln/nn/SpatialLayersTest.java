package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.ArgumentException;
import dev.kiln.KilnException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** Padding, unfolding and unpooling, upsampling and pixel shuffle layers: bad arguments and inputs, and printing. */
class SpatialLayersTest {
  @Test
  void paddingRefusesBadAmountsAndRanks() {
    ArgumentException a = assertThrows(ArgumentException.class, () -> new ConstantPad2d(new long[] {1, 2, 3}, 0));
    assertTrue(a.getMessage().startsWith("ConstantPad2d: padding must be one int or 4 ints"), a.getMessage());
    ShapeException s = assertThrows(ShapeException.class, () -> new ReflectionPad2d(1).call(Tensor.zeros(3, 4)));
    assertEquals("ReflectionPad2d: expected a 3-D (unbatched) or 4-D (batched) input, got shape [3, 4]",
        s.getMessage());
    assertThrows(ShapeException.class, () -> new ReplicationPad1d(1).call(Tensor.zeros(1, 2, 3, 4)));
    Tensor x = Tensor.ones(1, 2, 3);
    KilnException e = assertThrows(KilnException.class, () -> new ReflectionPad1d(3).call(x));
    assertTrue(e.getMessage().contains("padding size should be less than the corresponding input dimension"),
        e.getMessage());
    assertArrayEquals(new long[] {1, 2, 3}, x.shape());
  }

  @Test
  void paddingPadsTheLastDimsOnly() {
    Tensor x = Tensor.of(new double[] {1, 2, 3}, 1, 3);
    assertArrayEquals(new double[] {3, 2, 1, 2, 3, 2}, new ReflectionPad1d(2, 1).call(x).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {1, 1, 2, 3, 3, 3}, new ReplicationPad1d(1, 2).call(x).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {2, 3, 9}, new ConstantPad1d(new long[] {-1, 1}, 9).call(x).toDoubleArray(), 0.0);
    assertArrayEquals(new long[] {2, 1, 4, 5}, new ZeroPad2d(1).call(Tensor.ones(2, 1, 2, 3)).shape());
  }

  @Test
  void paddingPrintsAsPyTorch() {
    assertEquals("ConstantPad1d(padding=(2, 2), value=3.5)", new ConstantPad1d(2, 3.5).toString());
    assertEquals("ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=0.0)", new ConstantPad3d(1, 0).toString());
    assertEquals("ZeroPad2d((1, 1, 1, 1))", new ZeroPad2d(1).toString());
    assertEquals("ReflectionPad2d((1, 2, 3, 4))", new ReflectionPad2d(1, 2, 3, 4).toString());
    assertEquals("ReplicationPad3d((1, 2, 3, 4, 5, 6))", new ReplicationPad3d(1, 2, 3, 4, 5, 6).toString());
  }

  @Test
  void maxUnpoolPutsTheMaximaBack() {
    Tensor x = Tensor.of(new double[] {1, 5, 2, 0, 3, 4, 8, 7}, 1, 1, 2, 4);
    dev.kiln.ValuesAndIndices p = new MaxPool2d(2).forwardWithIndices(x);
    Tensor back = new MaxUnpool2d(2).call(p.values(), p.indices());
    assertArrayEquals(new double[] {0, 5, 0, 0, 0, 0, 8, 0}, back.toDoubleArray(), 0.0);
    assertArrayEquals(new long[] {1, 1, 2, 5},
        new MaxUnpool2d(2).call(p.values(), p.indices(), new long[] {2, 5}).shape());
    ArgumentException a = assertThrows(ArgumentException.class,
        () -> new MaxUnpool2d(2).call(p.values(), p.indices(), new long[] {2, 7}));
    assertTrue(a.getMessage().startsWith("max_unpool2d: invalid output_size"), a.getMessage());
    assertEquals("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))", new MaxUnpool2d(2).toString());
    assertEquals("MaxUnpool1d(kernel_size=(3,), stride=(2,), padding=(0,))", new MaxUnpool1d(3, 2, 0).toString());
    assertEquals("LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)", new LocalResponseNorm(2).toString());
    assertEquals("MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        new MaxPool3d(2).toString());
  }

  @Test
  void foldUndoesUnfoldOfDisjointBlocks() {
    Tensor x = Tensor.arange(2 * 4 * 6).to(dev.kiln.DType.FLOAT32).reshape(1, 2, 4, 6);
    Unfold unfold = new Unfold(new int[] {2, 3}, new int[] {1}, new int[] {0}, new int[] {2, 3});
    Tensor cols = unfold.call(x);
    assertArrayEquals(new long[] {1, 12, 4}, cols.shape());
    Fold fold = new Fold(new int[] {4, 6}, new int[] {2, 3}, new int[] {1}, new int[] {0}, new int[] {2, 3});
    Tensor back = fold.call(cols);
    assertArrayEquals(x.toDoubleArray(), back.toDoubleArray(), 0.0);
  }

  @Test
  void unfoldAndFoldRefuseBadSizes() {
    ArgumentException a = assertThrows(ArgumentException.class, () -> new Unfold(new int[] {1, 2, 3}));
    assertEquals("Unfold: kernel_size must be an int or a pair of ints, got 3 values", a.getMessage());
    assertThrows(ArgumentException.class, () -> new Fold(new int[] {}, new int[] {2}));
    KilnException e = assertThrows(KilnException.class, () -> new Fold(4, 2).call(Tensor.zeros(2, 5, 9)));
    assertTrue(e.getMessage().startsWith("fold:"), e.getMessage());
    assertEquals("Unfold(kernel_size=(2, 3), dilation=2, padding=1, stride=(1, 2))",
        new Unfold(new int[] {2, 3}, new int[] {2}, new int[] {1}, new int[] {1, 2}).toString());
    assertEquals("Fold(output_size=4, kernel_size=2, dilation=1, padding=0, stride=1)", new Fold(4, 2).toString());
  }

  @Test
  void upsampleNeedsExactlyOneOfSizeAndScale() {
    ArgumentException a = assertThrows(ArgumentException.class, () -> new Upsample(null, null, "nearest", null, null));
    assertEquals("Upsample: either size or scale_factor should be defined", a.getMessage());
    a = assertThrows(ArgumentException.class,
        () -> new UpsamplingNearest2d(new long[] {2, 2}, new double[] {2.0}));
    assertEquals("UpsamplingNearest2d: only one of size or scale_factor should be defined", a.getMessage());
    assertThrows(KilnException.class, () -> new Upsample(2.0, "linear").call(Tensor.zeros(1, 1, 2, 2)));
    assertThrows(IllegalArgumentException.class, () -> new Upsample(2.0, "cubic").call(Tensor.zeros(1, 1, 2, 2)));
    assertArrayEquals(new long[] {1, 1, 4, 4}, new Upsample(2.0).call(Tensor.zeros(1, 1, 2, 2)).shape());
    assertArrayEquals(new long[] {1, 1, 3, 3}, new Upsample(new long[] {3}, "nearest").call(Tensor.zeros(1, 1, 2, 2))
        .shape());
  }

  @Test
  void upsamplePrintsAsPyTorch() {
    assertEquals("Upsample(scale_factor=2.0, mode=nearest)", new Upsample(2).toString());
    assertEquals("Upsample(size=(3, 4), mode=bilinear)",
        new Upsample(new long[] {3, 4}, null, "bilinear", true, null).toString());
    assertEquals("Upsample(scale_factor=(2.0, 1.5), mode=nearest)",
        new Upsample(null, new double[] {2, 1.5}, "nearest", null, null).toString());
    assertEquals("UpsamplingBilinear2d(size=(4, 4), mode=bilinear)",
        new UpsamplingBilinear2d(new long[] {4, 4}, null).toString());
    assertEquals("UpsamplingNearest2d(scale_factor=3.0, mode=nearest)", new UpsamplingNearest2d(3).toString());
  }

  @Test
  void pixelShuffleRoundTripsAndRefusesBadShapes() {
    Tensor x = Tensor.arange(2 * 3 * 8 * 2 * 2).to(dev.kiln.DType.FLOAT32).reshape(2, 3, 8, 2, 2);
    Tensor up = new PixelShuffle(2).call(x);
    assertArrayEquals(new long[] {2, 3, 2, 4, 4}, up.shape());
    assertArrayEquals(x.toDoubleArray(), new PixelUnshuffle(2).call(up).toDoubleArray(), 0.0);
    assertArrayEquals(new long[] {0, 1, 4, 4}, new PixelShuffle(2).call(Tensor.zeros(0, 4, 2, 2)).shape());
    ShapeException s = assertThrows(ShapeException.class, () -> new PixelShuffle(2).call(Tensor.zeros(1, 5, 2, 2)));
    assertTrue(s.getMessage().endsWith("but input.size(-3)=5 is not divisible by 4"), s.getMessage());
    assertThrows(ShapeException.class, () -> new PixelShuffle(2).call(Tensor.zeros(4, 2)));
    s = assertThrows(ShapeException.class, () -> new PixelUnshuffle(2).call(Tensor.zeros(1, 5, 2, 3)));
    assertEquals("PixelUnshuffle: expects width to be divisible by downscale_factor, but input.size(-1)=3 is not "
        + "divisible by 2", s.getMessage());
    assertThrows(ArgumentException.class, () -> new PixelShuffle(0));
    assertEquals("PixelShuffle(upscale_factor=2)", new PixelShuffle(2).toString());
    assertEquals("PixelUnshuffle(downscale_factor=3)", new PixelUnshuffle(3).toString());
  }

  @Test
  void lpPoolLayersPrintAsPyTorchAndAgreeWithTheFunctions() {
    assertEquals("LPPool2d(norm_type=2.0, kernel_size=2, stride=None, ceil_mode=False)", new LPPool2d(2, 2).toString());
    assertEquals("LPPool1d(norm_type=1.5, kernel_size=3, stride=2, ceil_mode=True)",
        new LPPool1d(1.5, 3, 2, true).toString());
    assertEquals("LPPool3d(norm_type=3.0, kernel_size=(1, 2, 2), stride=(1, 1, 2), ceil_mode=False)",
        new LPPool3d(3, new int[] {1, 2, 2}, new int[] {1, 1, 2}, false).toString());
    Tensor x = Tensor.rand(dev.kiln.DType.FLOAT64, 1, 2, 2, 4, 4).add(0.1);
    // p = 1 over positive values: the window sums
    Tensor sums = new LPPool3d(1, new int[] {1, 2, 2}, null, false).call(x);
    Tensor expected = dev.kiln.nn.functional.Pooling.avgPool3d(x, new int[] {1, 2, 2}, null, new int[] {0, 0, 0},
        false, true, null).mul(4);
    assertArrayEquals(expected.toDoubleArray(), sums.toDoubleArray(), 1e-12);
    ArgumentException zero = assertThrows(ArgumentException.class, () -> new LPPool2d(0, 2).call(x.select(0, 0)));
    assertEquals("lp_pool2d: norm_type must not be 0 (the result is the power 1 / norm_type)", zero.getMessage());
    ShapeException big = assertThrows(ShapeException.class, () -> new LPPool2d(2, 5).call(x.select(0, 0)));
    assertTrue(big.getMessage().startsWith("lp_pool2d: the kernel [5, 5] is larger than the input's sizes [4, 4]"),
        big.getMessage());
  }

  @Test
  void channelShuffleInterleavesGroupsAndCarriesGradients() {
    Tensor x = Tensor.arange(6).to(dev.kiln.DType.FLOAT64).reshape(1, 6, 1).requiresGrad(true);
    Tensor y = new ChannelShuffle(2).call(x);
    assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, y.toDoubleArray(), 0.0);
    Tensor weights = Tensor.arange(6).to(dev.kiln.DType.FLOAT64).reshape(1, 6, 1);
    y.mul(weights).sum().backward();
    // d/dx of sum(w * shuffle(x)) is w unshuffled: x[0] went to 0, x[3] to 1, x[1] to 2, ...
    assertArrayEquals(new double[] {0, 2, 4, 1, 3, 5}, x.grad().toDoubleArray(), 0.0);
    assertEquals("ChannelShuffle(groups=3)", new ChannelShuffle(3).toString());
    ShapeException groups = assertThrows(ShapeException.class, () -> new ChannelShuffle(4).call(x));
    assertEquals("ChannelShuffle: Number of channels must be divisible by groups. Got 6 channels and 4 groups.",
        groups.getMessage());
    assertThrows(ShapeException.class, () -> new ChannelShuffle(2).call(Tensor.zeros(2, 6)));
    assertThrows(ArgumentException.class, () -> new ChannelShuffle(0));
  }
}
