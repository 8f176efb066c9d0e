package dev.kiln;

import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Core;

/**
 * The CUDA devices, as {@code torch.cuda}: whether this build has CUDA and a GPU is there, and each device's
 * memory. Tensors go to a GPU with {@link Tensor#to(Device)} or {@link Tensor#cuda()}, modules with
 * {@code Module.to(Device)}.
 */
public final class Cuda {
  private Cuda() {}

  /** Whether the natives were built with CUDA (the linux-x86_64-gpu jar). */
  public static boolean isBuilt() {
    return KilnNative.kiln_cuda_built() != 0;
  }

  /** How many GPUs the driver shows: 0 in builds without CUDA, without a driver or without a GPU. */
  public static int deviceCount() {
    return KilnNative.kiln_cuda_device_count();
  }

  /** Whether {@code Device.cuda(0)} can hold tensors. */
  public static boolean isAvailable() {
    return deviceCount() > 0;
  }

  /** Waits until every kernel queued on the device has finished (what a timing needs). */
  public static void synchronize(int device) {
    Core.run(() -> KilnNative.kiln_cuda_synchronize(device));
  }

  /** The device's caching allocator: live, cached and peak bytes and live blocks (liveTensors is 0). */
  public static MemoryStats memoryStats(int device) {
    long[] s = new long[4];
    Core.run(() -> KilnNative.kiln_cuda_memory_stats(device, s));
    return new MemoryStats(s[0], s[1], s[2], s[3], 0);
  }

  /** Returns the device's cached blocks to the driver. */
  public static void emptyCache(int device) {
    Core.run(() -> KilnNative.kiln_cuda_empty_cache(device));
  }
}
