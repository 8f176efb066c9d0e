package dev.kiln.autograd;

import dev.kiln.ArgumentException;
import dev.kiln.AutogradException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * torch.autograd.functional for Java: vector-Jacobian and Jacobian-vector products, Jacobians, Hessians and
 * Hessian-vector products of a function given as a lambda, with PyTorch 1.13's semantics and messages.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new double[] {1, 2, 3});
 * Tensor j = Functional.jacobian(t -> t.exp().mul(t.sum()), x);              // [3, 3]
 * Tensor h = Functional.hessian(t -> t.pow(3).sum(), x);                     // diag(6x)
 * var r = Functional.vjp(t -> t.exp().sum(), x, null);                       // r.output() 0-dim, r.product() [3]
 * Tensor[][] jj = Functional.jacobian(in -> new Tensor[] {in[0].mul(in[1]).sin(), in[0].sum()},
 *     new Tensor[] {x, Tensor.of(new double[] {4, 5, 6})});                  // jj[output][input]
 * }</pre>
 *
 * <p>Each function comes in two forms, mirroring PyTorch's Tensor-or-tuple arguments: one tensor to one tensor
 * ({@link UnaryOperator}), and arrays ({@link MultiFunction}, or {@link ScalarFunction} where PyTorch requires a
 * single one-element output); an array result is PyTorch's tuple and {@code Tensor[][]} its tuple of tuples,
 * {@code jacobian[i][j]} being output i with respect to input j. PyTorch's forms that mix one tensor with a tuple
 * are the array form with arrays of length one.
 *
 * <p>As in PyTorch, the inputs are detached (or, with createGraph and an input that requires grad, viewed) and
 * made to require grad for the call: the caller's tensors keep their requiresGrad flag. Results are detached
 * unless createGraph is set, in which case they can be differentiated again, with respect to the inputs that
 * require grad. With strict, an output independent of an input is an {@link AutogradException}; without it,
 * its product or Jacobian block is zeros. Tensors that func makes are closed when the call returns (it runs in
 * a {@link TensorScope}), except the ones returned.
 *
 * <p>Only PyTorch's default strategy is offered: reverse mode, one backward per output element for jacobian and
 * hessian, and jvp and hvp by the double-backward trick. PyTorch's {@code vectorize=True} (its experimental vmap
 * path) and jacobian's {@code strategy} / hessian's {@code outer_jacobian_strategy} {@code "forward-mode"} (which
 * requires it) have no parameter here: these methods are PyTorch's calls with those defaults.
 */
public final class Functional {
  private Functional() {}

  /** A function of several tensors to several: PyTorch's func taking and returning tuples. */
  @FunctionalInterface
  public interface MultiFunction {
    Tensor[] apply(Tensor... inputs);
  }

  /** A function of several tensors to one tensor of one element (hessian, vhp, hvp). */
  @FunctionalInterface
  public interface ScalarFunction {
    Tensor apply(Tensor... inputs);
  }

  /**
   * PyTorch's (func_output, product) pair: what func returned and the vector product (a Tensor, or a Tensor[]
   * for the array forms).
   */
  public record OutputAndProduct<O, P>(O output, P product) {}

  // ---------------------------------------------------------------- vjp

  /**
   * v^T J at input (torch.autograd.functional.vjp): the gradient of func's output seeded with v; same shape as
   * input. {@code Functional.vjp(t -> t.exp().sum(1), Tensor.rand(4, 4), Tensor.ones(4)).product()} is [4, 4].
   *
   * @param v the shape of func's output, or null when the output has one element
   */
  public static OutputAndProduct<Tensor, Tensor> vjp(UnaryOperator<Tensor> func, Tensor input, Tensor v) {
    return vjp(func, input, v, false, false);
  }

  /**
   * @param createGraph record the computation, so that the output and the product can be differentiated again
   *     (with respect to input and v, where they require grad)
   * @param strict throw when the output does not depend on input instead of returning zeros
   */
  public static OutputAndProduct<Tensor, Tensor> vjp(UnaryOperator<Tensor> func, Tensor input, Tensor v,
                                                     boolean createGraph, boolean strict) {
    var r = vjp(single(func), new Tensor[] {input}, v == null ? null : new Tensor[] {v}, createGraph, strict, false);
    return new OutputAndProduct<>(r.output()[0], r.product()[0]);
  }

  /**
   * v^T J for several inputs and outputs: one product per input.
   *
   * @param v one per output of func, each of its shape; or null when func returns one one-element tensor
   */
  public static OutputAndProduct<Tensor[], Tensor[]> vjp(MultiFunction func, Tensor[] inputs, Tensor[] v) {
    return vjp(func, inputs, v, false, false);
  }

  /**
   * @param createGraph record the computation, so that the outputs and the products can be differentiated again
   * @param strict throw when an input has no effect on the outputs instead of returning zeros for it
   */
  public static OutputAndProduct<Tensor[], Tensor[]> vjp(MultiFunction func, Tensor[] inputs, Tensor[] v,
                                                         boolean createGraph, boolean strict) {
    return vjp(func, inputs, v, createGraph, strict, true);
  }

  private static OutputAndProduct<Tensor[], Tensor[]> vjp(MultiFunction func, Tensor[] userInputs, Tensor[] userV,
                                                          boolean createGraph, boolean strict, boolean isTuple) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] inputs, outputs, v = null;
      try (ModeScope g = Autograd.enableGrad()) {
        inputs = prepare(userInputs, createGraph, true);
        outputs = call(func, inputs, "vjp");
        checkRequiresGrad(outputs, Kind.OUTPUTS, strict);
        if (userV != null) {
          v = prepare(userV, createGraph, false);
          validateV(v, outputs, isTuple);
        } else if (outputs.length != 1 || outputs[0].numel() != 1) {
          throw new ArgumentException("The vector v can only be None if the user-provided function returns a single"
              + " Tensor with a single element.");
        }
      }
      Tensor[] products;
      try (ModeScope g = recordingIf(createGraph)) {
        Tensor[] grads = gradOf(outputs, inputs, v, createGraph, createGraph);
        products = fillInZeros(grads, inputs, strict, createGraph, Stage.BACK);
      }
      return new OutputAndProduct<>(keep(scope, finish(outputs, createGraph)), keep(scope, finish(products, createGraph)));
    }
  }

  // ---------------------------------------------------------------- jvp

  /**
   * J v at input (torch.autograd.functional.jvp), by the double-backward trick; same shape as func's output.
   * {@code Functional.jvp(t -> t.exp().sum(1), x, Tensor.onesLike(x))}
   *
   * @param v the shape of input, or null when input has one element
   */
  public static OutputAndProduct<Tensor, Tensor> jvp(UnaryOperator<Tensor> func, Tensor input, Tensor v) {
    return jvp(func, input, v, false, false);
  }

  /**
   * @param createGraph record the computation, so that the output and the product can be differentiated again
   * @param strict throw when the output does not depend on input
   */
  public static OutputAndProduct<Tensor, Tensor> jvp(UnaryOperator<Tensor> func, Tensor input, Tensor v,
                                                     boolean createGraph, boolean strict) {
    var r = jvp(single(func), new Tensor[] {input}, v == null ? null : new Tensor[] {v}, createGraph, strict, false);
    return new OutputAndProduct<>(r.output()[0], r.product()[0]);
  }

  /**
   * J v for several inputs and outputs: one product per output.
   *
   * @param v one per input, each of its shape; or null when there is one one-element input
   */
  public static OutputAndProduct<Tensor[], Tensor[]> jvp(MultiFunction func, Tensor[] inputs, Tensor[] v) {
    return jvp(func, inputs, v, false, false);
  }

  /**
   * @param createGraph record the computation, so that the outputs and the products can be differentiated again
   * @param strict throw when an input has no effect on the outputs, or an output is not differentiable
   */
  public static OutputAndProduct<Tensor[], Tensor[]> jvp(MultiFunction func, Tensor[] inputs, Tensor[] v,
                                                         boolean createGraph, boolean strict) {
    return jvp(func, inputs, v, createGraph, strict, true);
  }

  private static OutputAndProduct<Tensor[], Tensor[]> jvp(MultiFunction func, Tensor[] userInputs, Tensor[] userV,
                                                          boolean createGraph, boolean strict, boolean isTuple) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] inputs, outputs, gradOutputs, gradInputs, v;
      try (ModeScope g = Autograd.enableGrad()) {
        inputs = prepare(userInputs, createGraph, true);
        v = prepareV(userV, inputs, createGraph, isTuple, "input to the user-provided function");
        outputs = call(func, inputs, "jvp");
        checkRequiresGrad(outputs, Kind.OUTPUTS, strict);
        // The backward is linear in gradOutputs, so their value never shows in the double backward: zeros do
        // (they must only be free of inf and NaN).
        gradOutputs = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) gradOutputs[i] = Tensor.zerosLike(outputs[i]).requiresGrad(true);
        gradInputs = gradOf(outputs, inputs, gradOutputs, true, true);
        checkRequiresGrad(gradInputs, Kind.GRAD_INPUTS, strict);
      }
      Tensor[] products;
      try (ModeScope g = recordingIf(createGraph)) {
        Tensor[] grads = gradOf(gradInputs, gradOutputs, v, createGraph, createGraph);
        products = fillInZeros(grads, outputs, strict, createGraph, Stage.BACK_TRICK);
      }
      return new OutputAndProduct<>(keep(scope, finish(outputs, createGraph)), keep(scope, finish(products, createGraph)));
    }
  }

  // ---------------------------------------------------------------- jacobian

  /**
   * The Jacobian of func at input (torch.autograd.functional.jacobian), of shape output.shape + input.shape.
   * {@code Functional.jacobian(t -> t.exp().sum(1), Tensor.rand(2, 2))} is [2, 2, 2].
   */
  public static Tensor jacobian(UnaryOperator<Tensor> func, Tensor input) {
    return jacobian(func, input, false, false);
  }

  /**
   * @param createGraph compute the Jacobian differentiably (with respect to the inputs that require grad)
   * @param strict throw when an output is independent of an input instead of returning zeros for the pair
   */
  public static Tensor jacobian(UnaryOperator<Tensor> func, Tensor input, boolean createGraph, boolean strict) {
    return jacobian(single(func), new Tensor[] {input}, createGraph, strict)[0][0];
  }

  /** The Jacobians of each output with respect to each input: {@code [i][j]} has shape output i + input j. */
  public static Tensor[][] jacobian(MultiFunction func, Tensor[] inputs) {
    return jacobian(func, inputs, false, false);
  }

  /**
   * @param createGraph compute the Jacobians differentiably (with respect to the inputs that require grad)
   * @param strict throw when an output is independent of an input instead of returning a block of zeros
   */
  public static Tensor[][] jacobian(MultiFunction func, Tensor[] inputs, boolean createGraph, boolean strict) {
    try (TensorScope scope = TensorScope.open(); ModeScope g = Autograd.enableGrad()) {
      inputs = prepare(inputs, createGraph, true);
      Tensor[] outputs = call(func, inputs, "jacobian");
      checkRequiresGrad(outputs, Kind.OUTPUTS, strict);
      Tensor[][] blocks = new Tensor[outputs.length][inputs.length];
      for (int i = 0; i < outputs.length; i++) {
        Tensor out = outputs[i];
        int rows = Math.toIntExact(out.numel());
        List<List<Tensor>> columns = new ArrayList<>();
        for (int k = 0; k < inputs.length; k++) columns.add(new ArrayList<>());
        Tensor flat = out.reshape(-1);
        // One backward per element of the output: row j of every block.
        for (int j = 0; j < rows; j++) {
          Tensor[] vj = gradOf(new Tensor[] {flat.select(0, j)}, inputs, null, createGraph, true);
          for (int k = 0; k < inputs.length; k++) {
            if (vj[k] != null) {
              if (strict && createGraph && !vj[k].requiresGrad())
                // PyTorch 1.13 names the output's index here, as this message does.
                throw new AutogradException("The jacobian of the user-provided function is independent of input " + i
                    + ". This is not allowed in strict mode when create_graph=True.");
              columns.get(k).add(vj[k]);
            } else {
              if (strict)
                throw new AutogradException("Output " + i + " of the user-provided function is independent of input "
                    + k + ". This is not allowed in strict mode.");
              columns.get(k).add(Tensor.zerosLike(inputs[k]));
            }
          }
        }
        for (int k = 0; k < inputs.length; k++) {
          long[] shape = concat(out.shape(), inputs[k].shape());
          blocks[i][k] = rows == 0 ? Tensor.zeros(inputs[k].dtype(), shape)
              : Tensor.stack(columns.get(k), 0).view(shape);
        }
      }
      Tensor[][] result = new Tensor[outputs.length][];
      for (int i = 0; i < outputs.length; i++) result[i] = keep(scope, finish(blocks[i], createGraph));
      return result;
    }
  }

  // ---------------------------------------------------------------- hessian

  /**
   * The Hessian of a one-element func at input (torch.autograd.functional.hessian), of shape input.shape twice:
   * the Jacobian of its gradient. {@code Functional.hessian(t -> t.pow(3).sum(), x)} is diag(6x).
   */
  public static Tensor hessian(UnaryOperator<Tensor> func, Tensor input) {
    return hessian(func, input, false, false);
  }

  /**
   * @param createGraph compute the Hessian differentiably
   * @param strict throw when the output, or its gradient, is independent of an input
   */
  public static Tensor hessian(UnaryOperator<Tensor> func, Tensor input, boolean createGraph, boolean strict) {
    return hessian(in -> func.apply(in[0]), new Tensor[] {input}, createGraph, strict)[0][0];
  }

  /** The Hessian blocks: {@code [i][j]} is d2 func / d input i d input j, of shape input i + input j. */
  public static Tensor[][] hessian(ScalarFunction func, Tensor[] inputs) {
    return hessian(func, inputs, false, false);
  }

  /**
   * @param createGraph compute the Hessian blocks differentiably
   * @param strict throw when the output, or its gradient, is independent of an input
   */
  public static Tensor[][] hessian(ScalarFunction func, Tensor[] inputs, boolean createGraph, boolean strict) {
    MultiFunction scalar = in -> {
      Tensor out = Objects.requireNonNull(func.apply(in), "the function given to hessian returned null");
      checkRequiresGrad(new Tensor[] {out}, Kind.OUTPUTS, strict);
      if (out.numel() != 1)
        throw new ShapeException("The Tensor returned by the function given to hessian should contain a single element");
      return new Tensor[] {out.squeeze()};
    };
    MultiFunction gradient = in -> {
      Tensor[] jac = jacobian(scalar, in, true, false)[0];
      checkRequiresGrad(jac, Kind.JACOBIAN, strict);
      return jac;
    };
    return jacobian(gradient, inputs, createGraph, strict);
  }

  // ---------------------------------------------------------------- vhp and hvp

  /**
   * v^T H at input for a one-element func (torch.autograd.functional.vhp): the gradient of its gradient seeded
   * with v. {@code Functional.vhp(t -> t.pow(3).sum(), x, Tensor.onesLike(x)).product()} is 6x.
   *
   * @param v the shape of input, or null when input has one element
   */
  public static OutputAndProduct<Tensor, Tensor> vhp(UnaryOperator<Tensor> func, Tensor input, Tensor v) {
    return vhp(func, input, v, false, false);
  }

  /**
   * @param createGraph record the computation, so that the output and the product can be differentiated again
   * @param strict throw when the output, or its gradient, is independent of input
   */
  public static OutputAndProduct<Tensor, Tensor> vhp(UnaryOperator<Tensor> func, Tensor input, Tensor v,
                                                     boolean createGraph, boolean strict) {
    var r = hessianProduct(in -> func.apply(in[0]), new Tensor[] {input}, v == null ? null : new Tensor[] {v},
        createGraph, strict, false, false);
    return new OutputAndProduct<>(r.output(), r.product()[0]);
  }

  /** v^T H for several inputs: one product per input. */
  public static OutputAndProduct<Tensor, Tensor[]> vhp(ScalarFunction func, Tensor[] inputs, Tensor[] v) {
    return vhp(func, inputs, v, false, false);
  }

  /**
   * @param createGraph record the computation, so that the output and the products can be differentiated again
   * @param strict throw when the output, or its gradient, is independent of an input
   */
  public static OutputAndProduct<Tensor, Tensor[]> vhp(ScalarFunction func, Tensor[] inputs, Tensor[] v,
                                                       boolean createGraph, boolean strict) {
    return hessianProduct(func, inputs, v, createGraph, strict, true, false);
  }

  /**
   * H v at input for a one-element func (torch.autograd.functional.hvp), by the double-backward trick; equal to
   * vhp for a twice continuously differentiable func, and slower. {@code Functional.hvp(f, x, v).product()}
   *
   * @param v the shape of input, or null when input has one element
   */
  public static OutputAndProduct<Tensor, Tensor> hvp(UnaryOperator<Tensor> func, Tensor input, Tensor v) {
    return hvp(func, input, v, false, false);
  }

  /**
   * @param createGraph record the computation, so that the output and the product can be differentiated again
   * @param strict throw when the output, or its gradient, is independent of input
   */
  public static OutputAndProduct<Tensor, Tensor> hvp(UnaryOperator<Tensor> func, Tensor input, Tensor v,
                                                     boolean createGraph, boolean strict) {
    var r = hessianProduct(in -> func.apply(in[0]), new Tensor[] {input}, v == null ? null : new Tensor[] {v},
        createGraph, strict, false, true);
    return new OutputAndProduct<>(r.output(), r.product()[0]);
  }

  /** H v for several inputs: one product per input. */
  public static OutputAndProduct<Tensor, Tensor[]> hvp(ScalarFunction func, Tensor[] inputs, Tensor[] v) {
    return hvp(func, inputs, v, false, false);
  }

  /**
   * @param createGraph record the computation, so that the output and the products can be differentiated again
   * @param strict throw when the output, or its gradient, is independent of an input
   */
  public static OutputAndProduct<Tensor, Tensor[]> hvp(ScalarFunction func, Tensor[] inputs, Tensor[] v,
                                                       boolean createGraph, boolean strict) {
    return hessianProduct(func, inputs, v, createGraph, strict, true, true);
  }

  // vhp, or hvp (hessianTimesV) by the double-backward trick.
  private static OutputAndProduct<Tensor, Tensor[]> hessianProduct(ScalarFunction func, Tensor[] userInputs,
      Tensor[] userV, boolean createGraph, boolean strict, boolean isTuple, boolean hessianTimesV) {
    String name = hessianTimesV ? "hvp" : "vhp";
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] inputs, v, outputs, seedOf, gradient;
      try (ModeScope g = Autograd.enableGrad()) {
        inputs = prepare(userInputs, createGraph, true);
        v = prepareV(userV, inputs, createGraph, isTuple, "input to the user-provided function");
        Tensor out = Objects.requireNonNull(func.apply(inputs), "the function given to " + name + " returned null");
        outputs = new Tensor[] {out};
        checkRequiresGrad(outputs, Kind.OUTPUTS, strict);
        if (out.numel() != 1)
          throw new ShapeException("The Tensor returned by the function given to " + name + " should contain a single element");
        gradient = gradOf(outputs, inputs, null, true, true);
        checkRequiresGrad(gradient, Kind.JACOBIAN, strict);
        seedOf = inputs;
        if (hessianTimesV) {
          // The gradient's backward, H u, is linear in u: differentiating it with respect to u seeded with v gives H v.
          Tensor[] u = new Tensor[inputs.length];
          for (int i = 0; i < u.length; i++) u[i] = Tensor.zerosLike(inputs[i]).requiresGrad(true);
          gradient = gradOf(gradient, inputs, u, true, true);
          seedOf = u;
        }
      }
      Tensor[] products;
      try (ModeScope g = recordingIf(createGraph)) {
        Tensor[] grads = gradOf(gradient, seedOf, v, createGraph, createGraph);
        products = fillInZeros(grads, inputs, strict, createGraph, hessianTimesV ? Stage.DOUBLE_BACK_TRICK : Stage.DOUBLE_BACK);
      }
      Tensor output = finish(outputs, createGraph)[0];
      scope.keep(output);
      return new OutputAndProduct<>(output, keep(scope, finish(products, createGraph)));
    }
  }

  // ---------------------------------------------------------------- PyTorch's helpers

  /** What _check_requires_grad checks: which message a tensor that does not require grad gets. */
  private enum Kind { OUTPUTS, GRAD_INPUTS, JACOBIAN }

  /** Which backward _fill_in_zeros follows, for its messages. */
  private enum Stage { BACK, BACK_TRICK, DOUBLE_BACK, DOUBLE_BACK_TRICK }

  // The last backward is recorded when createGraph; otherwise it runs in the caller's grad mode.
  private static ModeScope recordingIf(boolean createGraph) {
    return createGraph ? Autograd.enableGrad() : null;
  }

  private static MultiFunction single(UnaryOperator<Tensor> func) {
    Objects.requireNonNull(func, "func");
    return in -> new Tensor[] {func.apply(in[0])};
  }

  private static Tensor[] call(MultiFunction func, Tensor[] inputs, String name) {
    Tensor[] outputs = Objects.requireNonNull(func.apply(inputs), "the function given to " + name + " returned null");
    for (int i = 0; i < outputs.length; i++)
      Objects.requireNonNull(outputs[i], "output " + i + " of the function given to " + name + " is null");
    return outputs;
  }

  // New tensors, so that the inputs func was given are told from the same tensors captured by func
  // (pytorch#32576): a view of an input that requires grad when the graph is to reach it, else a detached
  // copy that requires grad when needGraph.
  private static Tensor[] prepare(Tensor[] tensors, boolean createGraph, boolean needGraph) {
    Objects.requireNonNull(tensors);
    Tensor[] out = new Tensor[tensors.length];
    for (int i = 0; i < out.length; i++) {
      Tensor t = Objects.requireNonNull(tensors[i], "tensor " + i);
      if (createGraph && t.requiresGrad()) out[i] = t.view(t.shape());
      else out[i] = needGraph ? t.detach().requiresGrad(true) : t.detach();
    }
    return out;
  }

  private static Tensor[] prepareV(Tensor[] userV, Tensor[] inputs, boolean createGraph, boolean isTuple, String what) {
    if (userV == null) {
      if (inputs.length != 1 || inputs[0].numel() != 1)
        throw new ArgumentException("The vector v can only be None if the " + what + " is a single Tensor with a"
            + " single element.");
      return null;
    }
    Tensor[] v = prepare(userV, createGraph, false);
    validateV(v, inputs, isTuple);
    return v;
  }

  private static void validateV(Tensor[] v, Tensor[] other, boolean isTuple) {
    if (v.length != other.length)
      throw new ArgumentException(isTuple ? "v is a tuple of invalid length: should be " + other.length + " but got "
          + v.length + "." : "The given v should contain a single Tensor.");
    for (int i = 0; i < v.length; i++)
      if (!Arrays.equals(v[i].shape(), other[i].shape()))
        throw new ShapeException((isTuple ? "Entry " + i + " in " : "") + "v has invalid size: should be "
            + Arrays.toString(other[i].shape()) + " but got " + Arrays.toString(v[i].shape()) + ".");
  }

  private static void checkRequiresGrad(Tensor[] tensors, Kind kind, boolean strict) {
    if (!strict) return;
    for (int i = 0; i < tensors.length; i++) {
      if (tensors[i] == null)
        throw new AutogradException("The output of the user-provided function is independent of input " + i
            + ". This is not allowed in strict mode.");
      if (tensors[i].requiresGrad()) continue;
      throw new AutogradException(switch (kind) {
        case JACOBIAN -> "While computing the hessian, found that the jacobian of the user-provided function with"
            + " respect to input " + i + " is independent of the input. This is not allowed in strict mode. You"
            + " should ensure that your function is twice differentiable and that the jacobian depends on the"
            + " inputs (this would be violated by a linear function for example).";
        case GRAD_INPUTS -> "The gradient with respect to input " + i + " is independent of the inputs of the"
            + " user-provided function. This is not allowed in strict mode.";
        case OUTPUTS -> "Output " + i + " of the user-provided function does not require gradients. The outputs"
            + " must be computed in a differentiable manner from the input when running in strict mode.";
      });
    }
  }

  // Autograd.grad over the outputs that require grad (null entries skipped); all null when none does.
  private static Tensor[] gradOf(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean createGraph,
                                 boolean retainGraph) {
    List<Tensor> outs = new ArrayList<>(), seeds = new ArrayList<>();
    for (int i = 0; i < outputs.length; i++) {
      if (outputs[i] == null || !outputs[i].requiresGrad()) continue;
      outs.add(outputs[i]);
      seeds.add(gradOutputs == null ? null : gradOutputs[i]);
    }
    if (outs.isEmpty()) return new Tensor[inputs.length];
    return Autograd.grad(outs.toArray(new Tensor[0]), inputs, seeds.toArray(new Tensor[0]), retainGraph, createGraph,
        true);
  }

  // Zeros of refs' shapes where no gradient flowed, or PyTorch's strict-mode errors.
  private static Tensor[] fillInZeros(Tensor[] grads, Tensor[] refs, boolean strict, boolean createGraph, Stage stage) {
    Tensor[] out = new Tensor[grads.length];
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] == null) {
        if (strict)
          throw new AutogradException(switch (stage) {
            case BACK -> "The output of the user-provided function is independent of input " + i
                + ". This is not allowed in strict mode.";
            case BACK_TRICK -> "The gradient with respect to the input is independent of entry " + i + " in the"
                + " grad_outputs when using the double backward trick to compute forward mode gradients. This is not"
                + " allowed in strict mode.";
            case DOUBLE_BACK -> "The jacobian of the user-provided function is independent of input " + i
                + ". This is not allowed in strict mode.";
            case DOUBLE_BACK_TRICK -> "The hessian of the user-provided function is independent of entry " + i
                + " in the grad_jacobian. This is not allowed in strict mode as it prevents from using the double"
                + " backward trick to replace forward mode AD.";
          });
        out[i] = Tensor.zerosLike(refs[i]);
      } else {
        if (strict && createGraph && !grads[i].requiresGrad())
          throw new AutogradException("The " + (stage == Stage.BACK || stage == Stage.BACK_TRICK ? "jacobian" : "hessian")
              + " of the user-provided function is independent of input " + i + ". This is not allowed in strict"
              + " mode when create_graph=True.");
        out[i] = grads[i];
      }
    }
    return out;
  }

  // Results without history unless createGraph (PyTorch's _grad_postprocess).
  private static Tensor[] finish(Tensor[] tensors, boolean createGraph) {
    if (createGraph) return tensors;
    Tensor[] out = new Tensor[tensors.length];
    for (int i = 0; i < out.length; i++) out[i] = tensors[i].detach();
    return out;
  }

  private static Tensor[] keep(TensorScope scope, Tensor[] tensors) {
    for (Tensor t : tensors) scope.keep(t);
    return tensors;
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
