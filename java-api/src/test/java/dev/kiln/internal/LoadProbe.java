package dev.kiln.internal;

import dev.kiln.Tensor;

/** A program that needs the natives, for NativeLoadingTest's child JVMs: prints 6.0 when they load. */
public final class LoadProbe {
  public static void main(String[] args) {
    System.out.println(Tensor.ones(2, 3).sum().item());
  }

  private LoadProbe() {}
}
