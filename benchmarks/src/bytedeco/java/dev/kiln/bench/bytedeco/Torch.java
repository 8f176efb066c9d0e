package dev.kiln.bench.bytedeco;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.global.torch;

/** What every PyTorch-in-the-JVM benchmark shares: the thread count the runner asked for, and backward(grad). */
final class Torch {
  private static boolean threadsSet;

  private Torch() {}

  /** Applies -Dkiln.bench.torchThreads (0 or absent: libtorch's default), once per JVM. */
  static synchronized void init() {
    if (threadsSet) return;
    int n = Integer.getInteger("kiln.bench.torchThreads", 0);
    if (n > 0) torch.set_num_threads(n);
    threadsSet = true;
  }

  static void backward(Tensor y, Tensor grad) {
    y.backward(grad, new BoolOptional(), false, new TensorArrayRefOptional());
  }
}
