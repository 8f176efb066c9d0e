package dev.kiln.distributions;

import dev.kiln.Tensor;

/**
 * A set of valid values (torch.distributions.constraints): check gives a boolean tensor, one element per
 * event, that is true where the value lies in the set. toString is PyTorch's repr, used in error messages.
 *
 * <pre>{@code
 * Constraint.positive().check(Tensor.of(new double[] {1, -1}));   // tensor([ True, False])
 * }</pre>
 */
public interface Constraint {
  /** True where value (with eventDim() trailing event dims) is in the set. */
  Tensor check(Tensor value);

  /** The number of trailing dims that make one event (0 for an elementwise constraint). */
  default int eventDim() {
    return 0;
  }

  /** Any real number, not NaN ({@code constraints.real}). */
  static Constraint real() {
    return named("Real()", v -> v.eq(v));
  }

  /** A real vector: every element of the last dim real ({@code constraints.real_vector}). */
  static Constraint realVector() {
    return named("IndependentConstraint(Real(), 1)", 1, v -> v.eq(v).all(-1));
  }

  /** x > 0 ({@code constraints.positive}). */
  static Constraint positive() {
    return named("GreaterThan(lower_bound=0.0)", v -> v.gt(0.0));
  }

  /** x >= 0 ({@code constraints.nonnegative}). */
  static Constraint nonnegative() {
    return named("GreaterThanEq(lower_bound=0.0)", v -> v.ge(0.0));
  }

  /** 0 <= x <= 1 ({@code constraints.unit_interval}). */
  static Constraint unitInterval() {
    return named("Interval(lower_bound=0.0, upper_bound=1.0)", v -> v.ge(0.0).logicalAnd(v.le(1.0)));
  }

  /** 0 or 1 ({@code constraints.boolean}). */
  static Constraint booleans() {
    return named("Boolean()", v -> v.eq(0.0).logicalOr(v.eq(1.0)));
  }

  /** Nonnegative vectors that sum to 1 within 1e-6 over the last dim ({@code constraints.simplex}). */
  static Constraint simplex() {
    return named("Simplex()", 1,
        v -> v.ge(0.0).all(-1).logicalAnd(v.sum(new int[] {-1}, false).sub(1.0).abs().lt(1e-6)));
  }

  /** Integers in [low, high] ({@code constraints.integer_interval}). */
  static Constraint integerInterval(long low, long high) {
    return named("IntegerInterval(lower_bound=" + low + ", upper_bound=" + high + ")",
        v -> v.remainder(1L).eq(0L).logicalAnd(v.ge(low)).logicalAnd(v.le(high)));
  }

  /** low <= x <= high, elementwise with broadcasting ({@code constraints.interval}). */
  static Constraint interval(Tensor low, Tensor high) {
    return named("Interval(lower_bound=" + low + ", upper_bound=" + high + ")",
        v -> low.le(v).logicalAnd(v.le(high)));
  }

  private static Constraint named(String repr, java.util.function.UnaryOperator<Tensor> check) {
    return named(repr, 0, check);
  }

  private static Constraint named(String repr, int eventDim, java.util.function.UnaryOperator<Tensor> check) {
    return new Constraint() {
      @Override
      public Tensor check(Tensor value) {
        return check.apply(value);
      }

      @Override
      public int eventDim() {
        return eventDim;
      }

      @Override
      public String toString() {
        return repr;
      }
    };
  }
}
