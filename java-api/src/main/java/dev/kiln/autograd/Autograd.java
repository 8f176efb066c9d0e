package dev.kiln.autograd;

import dev.kiln.Tensor;
import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Callbacks;
import dev.kiln.internal.Core;
import java.util.Objects;

/**
 * torch.autograd for Java: grad mode scopes (thread-local, as in PyTorch), inference mode, anomaly
 * detection, and {@link #grad} for gradients that do not touch {@code .grad}.
 *
 * <pre>{@code
 * Tensor x = Tensor.scalar(3.0, DType.FLOAT64).requiresGrad(true);
 * Tensor y = x.pow(3);
 * Tensor dy = Autograd.grad(y, x, true)[0];      // 3x^2 = 27, itself differentiable
 * Tensor d2y = Autograd.grad(dy, x)[0];          // 6x = 18
 * try (var g = Autograd.noGrad()) {
 *   x.sub_(dy.mul(0.1));                          // not recorded
 * }
 * }</pre>
 */
public final class Autograd {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  private Autograd() {}

  static {
    Core.opCount(); // loads the natives
    Callbacks.install();
  }

  /** Stops recording on this thread until the scope closes (torch.no_grad). */
  public static ModeScope noGrad() {
    ModeScope s = new ModeScope();
    KilnNative.kiln_set_grad_enabled(0);
    return s;
  }

  /** Records again inside a noGrad scope (torch.enable_grad). */
  public static ModeScope enableGrad() {
    ModeScope s = new ModeScope();
    KilnNative.kiln_set_grad_enabled(1);
    return s;
  }

  /**
   * Inference mode (torch.inference_mode): nothing is recorded, and tensors made inside are marked as
   * inference tensors, which autograd refuses to save later.
   */
  public static ModeScope inferenceMode() {
    ModeScope s = new ModeScope();
    KilnNative.kiln_set_inference_mode(1);
    return s;
  }

  /**
   * Anomaly detection (torch.autograd.detect_anomaly): a backward that produces NaN raises an error
   * naming the node and the Java stack of the forward call that made it. Slow: for debugging.
   */
  public static ModeScope detectAnomaly() {
    ModeScope s = new ModeScope();
    KilnNative.kiln_set_anomaly_enabled(1);
    return s;
  }

  public static boolean isGradEnabled() {
    return KilnNative.kiln_is_grad_enabled() != 0;
  }

  public static boolean isInferenceModeEnabled() {
    return KilnNative.kiln_is_inference_mode() != 0;
  }

  public static boolean isAnomalyEnabled() {
    return KilnNative.kiln_is_anomaly_enabled() != 0;
  }

  /**
   * The gradients of outputs with respect to inputs (torch.autograd.grad), without touching any
   * {@code .grad}.
   *
   * @param gradOutputs one per output, or null (entries may be null) for 1 on one-element outputs
   * @param retainGraph keep the graph's saved tensors for another backward
   * @param createGraph record the backward itself, so the results can be differentiated again
   * @param allowUnused return null for an input the outputs do not depend on, instead of failing
   */
  public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
                              boolean createGraph, boolean allowUnused) {
    long[] out = handles(outputs, false);
    long[] in = handles(inputs, false);
    long[] g = gradOutputs == null ? new long[out.length] : handles(gradOutputs, true);
    if (g.length != out.length)
      throw new IllegalArgumentException("grad: got " + g.length + " gradOutputs for " + out.length + " outputs");
    long[] results = new long[in.length];
    Core.run(() -> KilnNative.kiln_autograd_grad(out, g, out.length, in, in.length, retainGraph ? 1 : 0,
        createGraph ? 1 : 0, allowUnused ? 1 : 0, results));
    Tensor[] r = new Tensor[results.length];
    for (int i = 0; i < r.length; i++) r[i] = results[i] == 0 ? null : Tensor.adopt(results[i]);
    return r;
  }

  /** d(output)/d(inputs) for a one-element output. */
  public static Tensor[] grad(Tensor output, Tensor... inputs) {
    return grad(new Tensor[] {output}, inputs, null, false, false, false);
  }

  /** d(output)/d(input), keeping the graph and recording the backward when createGraph is set. */
  public static Tensor[] grad(Tensor output, Tensor input, boolean createGraph) {
    return grad(new Tensor[] {output}, new Tensor[] {input}, null, createGraph, createGraph, false);
  }

  /** Backward over several outputs at once (torch.autograd.backward). */
  public static void backward(Tensor[] outputs, Tensor[] gradOutputs, boolean retainGraph, boolean createGraph) {
    long[] out = handles(outputs, false);
    long[] g = gradOutputs == null ? new long[out.length] : handles(gradOutputs, true);
    if (g.length != out.length)
      throw new IllegalArgumentException("backward: got " + g.length + " gradOutputs for " + out.length + " outputs");
    Core.run(() -> KilnNative.kiln_backward(out, g, out.length, retainGraph ? 1 : 0, createGraph ? 1 : 0));
  }

  private static long[] handles(Tensor[] tensors, boolean allowNull) {
    Objects.requireNonNull(tensors);
    long[] h = new long[tensors.length];
    for (int i = 0; i < h.length; i++) {
      if (tensors[i] == null && allowNull) continue;
      h[i] = Objects.requireNonNull(tensors[i], "tensor " + i).handle();
    }
    return h;
  }
}
