package dev.kiln.autograd;

import dev.kiln.Tensor;
import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Callbacks;
import dev.kiln.internal.Core;

/**
 * A differentiable operation written in Java (torch.autograd.Function): forward computes the output with
 * any tensor ops, backward returns the gradients of the inputs. The core calls backward during the
 * backward pass, inside larger graphs, with createGraph (backward's own ops are then recorded), and on
 * whatever thread runs the backward.
 *
 * <pre>{@code
 * class ClampedExp extends Function {
 *   public Tensor forward(FunctionContext ctx, Tensor... in) {
 *     Tensor y = in[0].clamp(-10, 10).exp();  // any ops; not recorded
 *     ctx.saveForBackward(y);
 *     return y;
 *   }
 *   public Tensor[] backward(FunctionContext ctx, Tensor... grad) {
 *     return new Tensor[] {grad[0].mul(ctx.savedTensors()[0])};
 *   }
 * }
 * Tensor y = new ClampedExp().apply(x);
 * }</pre>
 */
public abstract class Function {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  /** Computes the output from the inputs; runs with grad mode off. */
  public abstract Tensor forward(FunctionContext ctx, Tensor... inputs);

  /**
   * The gradients of the inputs, one per input (null where {@code ctx.needsInputGrad(i)} is false or no
   * gradient flows), from the gradient of the output.
   */
  public abstract Tensor[] backward(FunctionContext ctx, Tensor... gradOutputs);

  /** The node's name in the graph, as {@code gradFn()} reports it. */
  protected String name() {
    return getClass().getSimpleName() + "Backward";
  }

  /** Runs forward and, when grad mode is on and an input requires grad, records the call in the graph. */
  public final Tensor apply(Tensor... inputs) {
    boolean[] needs = new boolean[inputs.length];
    boolean record = false;
    for (int i = 0; i < inputs.length; i++) {
      needs[i] = inputs[i].requiresGrad();
      record |= needs[i];
    }
    record &= Autograd.isGradEnabled();
    FunctionContext ctx = new FunctionContext(needs);
    Tensor out;
    try (ModeScope g = Autograd.noGrad()) {
      out = forward(ctx, inputs);
    }
    if (!record) return out;
    // The graph's output is a fresh alias of forward's result, so it is never one of the inputs.
    Tensor result = out.detach();
    Tensor[] saved = ctx.takeToSave();
    long id = Callbacks.registerFunction((grads, savedTensors) -> {
      ctx.setSaved(savedTensors);
      return backward(ctx, grads);
    });
    long[] in = new long[inputs.length];
    for (int i = 0; i < in.length; i++) in[i] = inputs[i].handle();
    // A saved output is saved as the graph's output, so that createGraph sees it as this node's result.
    long[] s = new long[saved.length];
    for (int i = 0; i < s.length; i++) s[i] = (saved[i] == out ? result : saved[i]).handle();
    long[] outs = {result.handle()};
    try {
      Core.run(() -> KilnNative.kiln_function_record(id, name(), in, in.length, outs, 1, s, s.length));
    } catch (RuntimeException e) {
      Callbacks.forget(id);
      throw e;
    }
    return result;
  }
}
