package dev.kiln.distributions;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.NotImplementedException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A probability distribution over tensors (torch.distributions.Distribution): a batch of independent
 * distributions of shape batchShape, each over events of shape eventShape. Samples have shape
 * sampleShape + batchShape + eventShape. Everything but sample is built of differentiable tensor ops, so
 * gradients flow from rsample, logProb, entropy and KL to the parameters.
 *
 * <p>With validateArgs (on by default, as in PyTorch) the constructor checks the parameters against their
 * constraints and logProb/cdf check the value's shape and support, throwing
 * {@link ConstraintViolationException} or {@link ShapeException} with PyTorch's messages.
 *
 * <pre>{@code
 * Distribution d = new Normal(Tensor.zeros(3), Tensor.ones(3));
 * Tensor x = d.sample(new Generator(0), 5);   // shape [5, 3]
 * }</pre>
 */
public abstract class Distribution {
  private static volatile boolean defaultValidateArgs = true;

  private final long[] batchShape;
  private final long[] eventShape;
  protected final boolean validateArgs;

  /** validateArgs null means the default, {@link #setDefaultValidateArgs}. */
  protected Distribution(long[] batchShape, long[] eventShape, Boolean validateArgs) {
    this.batchShape = batchShape.clone();
    this.eventShape = eventShape.clone();
    this.validateArgs = validateArgs == null ? defaultValidateArgs : validateArgs;
  }

  /** Whether new distributions validate by default (torch.distributions.Distribution.set_default_validate_args). */
  public static void setDefaultValidateArgs(boolean value) {
    defaultValidateArgs = value;
  }

  public final long[] batchShape() {
    return batchShape.clone();
  }

  public final long[] eventShape() {
    return eventShape.clone();
  }

  public final boolean validateArgs() {
    return validateArgs;
  }

  /** The named parameters with their constraints, in PyTorch's order (arg_constraints). */
  protected abstract Map<String, Constraint> argConstraints();

  /** The named parameter tensors this distribution holds (for validation and toString). */
  protected abstract Map<String, Tensor> parameters();

  /** The set of valid values. */
  public abstract Constraint support();

  /** Whether rsample is implemented (has_rsample). */
  public boolean hasRsample() {
    return false;
  }

  /** This distribution with its parameters expanded (views) to a new batch shape. */
  public abstract Distribution expand(long... batchShape);

  /** A sample without gradient, of shape sampleShape + batchShape + eventShape. */
  public Tensor sample(long... sampleShape) {
    return sample(null, sampleShape);
  }

  /** As {@link #sample(long...)}, drawing from generator (null for the default one). */
  public Tensor sample(Generator generator, long... sampleShape) {
    try (var g = Autograd.noGrad()) {
      return rsample(generator, sampleShape);
    }
  }

  /** A reparametrized sample: differentiable with respect to the parameters. */
  public Tensor rsample(long... sampleShape) {
    return rsample(null, sampleShape);
  }

  public Tensor rsample(Generator generator, long... sampleShape) {
    throw new NotImplementedException(name() + " does not implement rsample");
  }

  /** The log of the density or mass at value, of shape broadcast(value, batchShape + eventShape) minus the event dims. */
  public abstract Tensor logProb(Tensor value);

  /** The cumulative distribution function at value. */
  public Tensor cdf(Tensor value) {
    throw new NotImplementedException(name() + " does not implement cdf");
  }

  /** The inverse of the cdf at probabilities value. */
  public Tensor icdf(Tensor value) {
    throw new NotImplementedException(name() + " does not implement icdf");
  }

  public Tensor entropy() {
    throw new NotImplementedException(name() + " does not implement entropy");
  }

  public Tensor mean() {
    throw new NotImplementedException(name() + " does not implement mean");
  }

  public Tensor variance() {
    throw new NotImplementedException(name() + " does not implement variance");
  }

  public Tensor stddev() {
    return variance().sqrt();
  }

  /** sampleShape + batchShape + eventShape (_extended_shape). */
  public final long[] extendedShape(long... sampleShape) {
    long[] out = new long[sampleShape.length + batchShape.length + eventShape.length];
    System.arraycopy(sampleShape, 0, out, 0, sampleShape.length);
    System.arraycopy(batchShape, 0, out, sampleShape.length, batchShape.length);
    System.arraycopy(eventShape, 0, out, sampleShape.length + batchShape.length, eventShape.length);
    return out;
  }

  /** The class name, as PyTorch's repr starts. */
  protected String name() {
    return getClass().getSimpleName();
  }

  /** PyTorch's repr: {@code Normal(loc: torch.Size([2]), scale: torch.Size([2]))}, a one-element parameter by value. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(name()).append('(');
    boolean first = true;
    for (var e : parameters().entrySet()) {
      if (!first) s.append(", ");
      first = false;
      Tensor t = e.getValue();
      s.append(e.getKey()).append(": ").append(t.numel() == 1 ? format(t) : torchSize(t.shape()));
    }
    return s.append(')').toString();
  }

  /** Checks every parameter against its constraint (Distribution.__init__ with validate_args). */
  protected final void validateParameters() {
    if (!validateArgs) return;
    Map<String, Tensor> params = parameters();
    for (var e : argConstraints().entrySet()) {
      Tensor value = params.get(e.getKey());
      if (value == null) continue;
      Tensor valid = e.getValue().check(value);
      if (!valid.all().itemBoolean())
        throw new ConstraintViolationException("Expected parameter " + e.getKey() + " (Tensor of shape "
            + pyTuple(value.shape()) + ") of distribution " + this + " to satisfy the constraint " + e.getValue()
            + ", but found invalid values:\n" + format(value));
    }
  }

  /** Checks a value's shape and support before logProb or cdf (_validate_sample). */
  protected final void validateSample(Tensor value) {
    if (!validateArgs) return;
    long[] actual = value.shape();
    int eventStart = actual.length - eventShape.length;
    if (eventStart < 0 || !Arrays.equals(Arrays.copyOfRange(actual, eventStart, actual.length), eventShape))
      throw new ShapeException("The right-most size of value must match event_shape: " + torchSize(actual) + " vs "
          + torchSize(eventShape) + ".");
    long[] expected = extendedShape();
    for (int i = actual.length - 1, j = expected.length - 1; i >= 0 && j >= 0; i--, j--)
      if (actual[i] != 1 && expected[j] != 1 && actual[i] != expected[j])
        throw new ShapeException("Value is not broadcastable with batch_shape+event_shape: " + torchSize(actual)
            + " vs " + torchSize(expected) + ".");
    Constraint support = support();
    if (!support.check(value).all().itemBoolean())
      throw new ConstraintViolationException("Expected value argument (Tensor of shape " + pyTuple(actual)
          + ") to be within the support (" + support + ") of the distribution " + this
          + ", but found invalid values:\n" + format(value));
  }

  /** An ordered map of names to values, for argConstraints and parameters. */
  protected static <V> Map<String, V> ordered(Object... namesAndValues) {
    Map<String, V> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      @SuppressWarnings("unchecked")
      V v = (V) namesAndValues[i + 1];
      if (v != null) m.put((String) namesAndValues[i], v);
    }
    return m;
  }

  // ---- shapes and dtypes shared by the distributions ----

  /** The tensors broadcast to one shape (broadcast_all), as expanded views. */
  protected static Tensor[] broadcastAll(Tensor... tensors) {
    long[] shape = new long[0];
    for (Tensor t : tensors) shape = broadcastShapes(shape, t.shape());
    Tensor[] out = new Tensor[tensors.length];
    for (int i = 0; i < tensors.length; i++)
      out[i] = Arrays.equals(tensors[i].shape(), shape) ? tensors[i] : tensors[i].expand(shape);
    return out;
  }

  /** The broadcast of two shapes, with torch.broadcast_tensors' message when they do not broadcast. */
  protected static long[] broadcastShapes(long[] a, long[] b) {
    int n = Math.max(a.length, b.length);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long x = i < n - a.length ? 1 : a[i - (n - a.length)];
      long y = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (x != y && x != 1 && y != 1)
        throw new ShapeException("The size of tensor a (" + x + ") must match the size of tensor b (" + y
            + ") at non-singleton dimension " + i);
      out[i] = x == 1 ? y : x;
    }
    return out;
  }

  /** A shape with extra dims appended (batchShape + eventShape when expanding). */
  protected static long[] concat(long[] a, long... b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** torch.finfo(dtype).eps. */
  protected static double eps(DType dtype) {
    return dtype == DType.FLOAT64 ? Math.ulp(1.0) : dtype == DType.FLOAT32 ? Math.ulp(1.0f) : 0.0009765625;
  }

  /** torch.finfo(dtype).min. */
  protected static double finfoMin(DType dtype) {
    return dtype == DType.FLOAT64 ? -Double.MAX_VALUE : dtype == DType.FLOAT32 ? -Float.MAX_VALUE : -65504.0;
  }

  /** clamp_probs: probabilities kept within [eps, 1 - eps]. */
  protected static Tensor clampProbs(Tensor probs) {
    double e = eps(probs.dtype());
    return probs.clamp(e, 1 - e);
  }

  /** Python's '{}'.format(tensor): a 0-dim tensor as its number, otherwise the tensor's repr. */
  static String format(Tensor t) {
    if (t.dim() != 0) return t.toString();
    if (!t.dtype().isFloatingPoint()) return t.dtype() == DType.BOOL ? (t.itemBoolean() ? "True" : "False") : Long.toString(t.itemLong());
    double v = t.item();
    return Double.isNaN(v) ? "nan" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : Double.toString(v);
  }

  static String torchSize(long[] shape) {
    StringBuilder s = new StringBuilder("torch.Size([");
    for (int i = 0; i < shape.length; i++) s.append(i == 0 ? "" : ", ").append(shape[i]);
    return s.append("])").toString();
  }

  static String pyTuple(long[] shape) {
    if (shape.length == 1) return "(" + shape[0] + ",)";
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) s.append(i == 0 ? "" : ", ").append(shape[i]);
    return s.append(")").toString();
  }
}
