package dev.kiln;

import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import java.util.Objects;

/**
 * Random draws shaped by a Tensor: in-place fills ({@code normal_}, {@code uniform_}, {@code bernoulli_}) and
 * samples ({@code bernoulli}, {@code multinomial}), from an explicit {@link Generator} or, without one, the global
 * generator that {@link Kiln#manualSeed} seeds. The same seed gives the same numbers whatever the number of threads.
 * None of them is differentiable. The factories ({@code randint}, {@code randperm}, {@code randLike}, ...) are on
 * {@link Tensor}. Part of {@link Tensor}'s API; split out by family to keep files small.
 */
public sealed interface TensorRandom permits Tensor {
  /** Fills this floating tensor with standard normal values. */
  default Tensor normal_() {
    return normal_(0, 1);
  }

  default Tensor normal_(double mean, double std) {
    return RandomCalls.fill(self(), RandomIds.NORMAL_, null, mean, std);
  }

  default Tensor normal_(double mean, double std, Generator generator) {
    return RandomCalls.fill(self(), RandomIds.NORMAL_, Objects.requireNonNull(generator, "generator"), mean, std);
  }

  /** Fills this floating tensor with values uniform on [0, 1). */
  default Tensor uniform_() {
    return uniform_(0, 1);
  }

  /** Values uniform on [from, to). */
  default Tensor uniform_(double from, double to) {
    return RandomCalls.fill(self(), RandomIds.UNIFORM_, null, from, to);
  }

  default Tensor uniform_(double from, double to, Generator generator) {
    return RandomCalls.fill(self(), RandomIds.UNIFORM_, Objects.requireNonNull(generator, "generator"), from, to);
  }

  /** 1 with probability p, else 0, in every element (any dtype). */
  default Tensor bernoulli_(double p) {
    return RandomCalls.fill(self(), RandomIds.BERNOULLI_, null, p);
  }

  default Tensor bernoulli_(double p, Generator generator) {
    return RandomCalls.fill(self(), RandomIds.BERNOULLI_, Objects.requireNonNull(generator, "generator"), p);
  }

  /** 1 with the probability at each element of p (floating, broadcast to this tensor's shape), else 0. */
  default Tensor bernoulli_(Tensor p) {
    return RandomCalls.fillFrom(self(), p, null);
  }

  default Tensor bernoulli_(Tensor p, Generator generator) {
    return RandomCalls.fillFrom(self(), p, Objects.requireNonNull(generator, "generator"));
  }

  /** This tensor read as probabilities: 1 with probability {@code this[i]}, else 0 ({@code torch.bernoulli(p)}). */
  default Tensor bernoulli() {
    return RandomCalls.sample(self(), RandomIds.BERNOULLI, null, new long[0]);
  }

  default Tensor bernoulli(Generator generator) {
    return RandomCalls.sample(self(), RandomIds.BERNOULLI, Objects.requireNonNull(generator, "generator"), new long[0]);
  }

  /** This tensor's shape and dtype, 1 with probability p, else 0 ({@code torch.bernoulli(x, p)}). */
  default Tensor bernoulli(double p) {
    return RandomCalls.sample(self(), RandomIds.BERNOULLI, null, new long[0], p);
  }

  default Tensor bernoulli(double p, Generator generator) {
    return RandomCalls.sample(self(), RandomIds.BERNOULLI, Objects.requireNonNull(generator, "generator"), new long[0], p);
  }

  /** numSamples category indices drawn without replacement, per row of this 1-D or 2-D tensor of weights. */
  default Tensor multinomial(long numSamples) {
    return multinomial(numSamples, false);
  }

  default Tensor multinomial(long numSamples, boolean replacement) {
    return RandomCalls.sample(self(), RandomIds.MULTINOMIAL, null, new long[] {numSamples, replacement ? 1 : 0});
  }

  default Tensor multinomial(long numSamples, boolean replacement, Generator generator) {
    return RandomCalls.sample(self(), RandomIds.MULTINOMIAL, Objects.requireNonNull(generator, "generator"),
        new long[] {numSamples, replacement ? 1 : 0});
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of the random ops, resolved by name once. */
final class RandomIds {
  static final int BERNOULLI = Core.op("bernoulli"),
      BERNOULLI_ = Core.op("bernoulli_"),
      MULTINOMIAL = Core.op("multinomial"),
      NORMAL_ = Core.op("normal_"),
      RANDINT = Core.op("randint"),
      RANDPERM = Core.op("randperm"),
      UNIFORM_ = Core.op("uniform_");

  private RandomIds() {}
}

/** The native calls of the random ops: the generator travels as an int argument (0: the global one). */
final class RandomCalls {
  private RandomCalls() {}

  static long handleOf(Generator g) {
    return g == null ? 0 : g.handle();
  }

  /** An in-place fill: ints [generator], reals as given. */
  static Tensor fill(Tensor self, int op, Generator g, double... reals) {
    Core.callInPlace(op, Frame.of(new long[] {self.handle()}, new long[] {handleOf(g)}, reals));
    return self;
  }

  static Tensor fillFrom(Tensor self, Tensor p, Generator g) {
    Core.callInPlace(RandomIds.BERNOULLI_, Frame.of(new long[] {self.handle(), p.handle()}, new long[] {handleOf(g)}));
    return self;
  }

  /** A sample from a tensor: ints [leading..., generator]. */
  static Tensor sample(Tensor x, int op, Generator g, long[] leading, double... reals) {
    return Tensor.adopt(Core.call(op, Frame.of(new long[] {x.handle()}, Frame.concat(leading, handleOf(g)), reals)));
  }

  /** randint: ints [dtype, generator, low, high, sizes...]. */
  static Tensor randint(Generator g, DType dtype, long low, long high, long[] shape) {
    long[] head = {dtype.code(), handleOf(g), low, high};
    return Tensor.adopt(Core.call(RandomIds.RANDINT, Frame.of(new long[0], Frame.concat(head, shape))));
  }

  static Tensor randperm(Generator g, DType dtype, long n) {
    return Tensor.adopt(Core.call(RandomIds.RANDPERM, Frame.of(new long[0], new long[] {dtype.code(), handleOf(g), n})));
  }
}
