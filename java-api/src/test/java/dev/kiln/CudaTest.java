package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.nn.Conv2d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CUDA device from Java: without a GPU (or in a build without CUDA) asking for one raises a
 * DeviceException that says which is missing; with one, tensors, gradients and modules move there and back.
 */
class CudaTest {
  @Test
  void withoutAGpuCudaTensorsRaiseADeviceException() {
    assumeFalse(Cuda.isAvailable(), "a GPU is present");
    assertEquals(0, Cuda.deviceCount());
    String why = Cuda.isBuilt() ? "no CUDA GPU was found" : "Kiln was built without CUDA";
    try (Tensor x = Tensor.ones(2, 3)) {
      DeviceException e = assertThrows(DeviceException.class, x::cuda);
      assertTrue(e.getMessage().contains(why), e.getMessage());
      assertThrows(DeviceException.class, () -> new Linear(3, 2).to(Device.cuda(0)));
      assertThrows(DeviceException.class, () -> Cuda.memoryStats(0));
      // The failed calls leave the tensor as it was, on the CPU.
      assertEquals(Device.CPU, x.device());
      assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, x.toFloatArray());
    }
  }

  @Test
  void toTheDeviceATensorIsAlreadyOnIsTheSameTensor() {
    try (Tensor x = Tensor.of(new float[] {1, 2}, 2); Tensor y = x.cpu()) {
      assertEquals(x.dataAddress(), y.dataAddress());
      assertSame(Device.CPU.type(), y.device().type());
      assertFalse(y.isCuda());
    }
  }

  @Test
  void devicesParseAsTorchDeviceDoes() {
    assertEquals(Device.CPU, Device.parse("cpu"));
    assertEquals(Device.cuda(0), Device.parse("cuda"));
    assertEquals(Device.cuda(1), Device.parse(" CUDA:1 "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu"));
    assertTrue(e.getMessage().contains("gpu"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x"));
    assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:-1"));
  }

  @Test
  void aCnnTrainsOnTheGpuAsOnTheCpu() {
    assumeTrue(Cuda.isAvailable(), "no CUDA GPU");
    // One Adam step of a small CNN with cross-entropy on each device, from the same weights and batch.
    float[][] after = new float[2][];
    for (Device d : new Device[] {Device.CPU, Device.cuda(0)}) {
      Kiln.manualSeed(3);
      Module net = new Sequential(new Conv2d(1, 4, 3, 1, 1), new ReLU(),
          new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 3));
      Tensor x = Tensor.randn(5, 1, 8, 8);
      Tensor y = Tensor.of(new long[] {0, 2, 1, 1, 0}, 5);
      net.to(d);
      Adam adam = new Adam(net.parameters(), Map.of("lr", 0.1));
      new CrossEntropyLoss().call(net.call(x.to(d)), y.to(d)).backward();
      adam.step();
      after[d.type() == Device.Type.CPU ? 0 : 1] = net.parameters().get(0).cpu().toFloatArray();
    }
    assertArrayEquals(after[0], after[1], 1e-5f);
  }

  @Test
  void tensorsAndGradientsMoveToTheGpuAndBack() {
    assumeTrue(Cuda.isAvailable(), "no CUDA GPU");
    Tensor w = Tensor.of(new double[] {1, -2, 3, 0.5}, 2, 2).requiresGrad(true);
    Tensor x = Tensor.of(new double[] {0.5, 1.5}, 1, 2);
    Tensor wg = w.cuda();
    assertTrue(wg.isCuda());
    assertEquals("tensor([[ 1.0000, -2.0000],\n        [ 3.0000,  0.5000]], device='cuda:0', dtype=torch.float64,\n"
        + "       grad_fn=<ToDeviceBackward0>)", wg.toString());
    Tensor loss = x.cuda().matmul(wg).relu().sum();
    loss.backward();
    assertTrue(w.grad().device().equals(Device.CPU));
    assertArrayEquals(new double[] {0.5, 0.5, 1.5, 1.5}, w.grad().toDoubleArray());  // both outputs positive
    assertEquals(loss.item(), x.matmul(w).relu().sum().item(), 1e-12);
  }

  @Test
  void aModuleMovesInPlaceAndComputesTheSameOnTheGpu() {
    assumeTrue(Cuda.isAvailable(), "no CUDA GPU");
    Kiln.manualSeed(0);
    Linear fc = new Linear(4, 3);
    Tensor weight = fc.weight;
    Tensor x = Tensor.randn(5, 4);
    float[] onCpu = fc.call(x).toFloatArray();
    fc.to(Device.cuda(0));
    assertSame(weight, fc.weight);
    assertTrue(fc.weight.isCuda());
    Tensor y = fc.call(x.cuda());
    assertTrue(y.isCuda());
    assertArrayEquals(onCpu, y.toFloatArray(), 1e-5f);
    fc.to(Device.CPU);
    assertFalse(fc.weight.isCuda());
  }
}
