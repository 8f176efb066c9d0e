package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Embeddings;
import dev.kiln.nn.init.Init;
import dev.kiln.optim.ASGD;
import dev.kiln.optim.Adadelta;
import dev.kiln.optim.Adagrad;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Adamax;
import dev.kiln.optim.NAdam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.RAdam;
import dev.kiln.optim.RMSprop;
import dev.kiln.optim.Rprop;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How to call each op of the native table that has no derivative (comparisons, logical and bitwise ops,
 * index-valued reductions, creation, random and optimizer steps): the rest of OpBadInputTest's op walk.
 */
final class NonDifferentiableSamples {
  private NonDifferentiableSamples() {}

  static void register(GradSamples s) {
    s.sample("eq", "", in -> of(in[0].eq(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("ne", "", in -> of(in[0].ne(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("lt", "", in -> of(in[0].lt(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("le", "", in -> of(in[0].le(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("gt", "", in -> of(in[0].gt(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("ge", "", in -> of(in[0].ge(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("floor_divide", "", in -> of(in[0].floorDivide(in[1])), () -> of(randn(2, 3), randn(3).abs().add(0.5)));
    s.sample("isnan", "", in -> of(in[0].isnan()), () -> of(randn(2, 3)));
    s.sample("isinf", "", in -> of(in[0].isinf()), () -> of(randn(2, 3)));
    s.sample("isposinf", "", in -> of(in[0].isposinf()), () -> of(randn(2, 3)));
    s.sample("isneginf", "", in -> of(in[0].isneginf()), () -> of(randn(2, 3)));
    s.sample("isfinite", "", in -> of(in[0].isfinite()), () -> of(randn(2, 3)));
    s.sample("signbit", "", in -> of(in[0].signbit()), () -> of(randn(2, 3)));
    s.sample("logical_not", "", in -> of(in[0].logicalNot()), () -> of(randn(2, 3)));
    s.sample("logical_and", "", in -> of(in[0].logicalAnd(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("logical_or", "", in -> of(in[0].logicalOr(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("logical_xor", "", in -> of(in[0].logicalXor(in[1])), () -> of(randn(2, 3), randn(3)));
    s.sample("bitwise_and", "", in -> of(in[0].bitwiseAnd(in[1])), () -> of(ints(2, 3), ints(3)));
    s.sample("bitwise_or", "", in -> of(in[0].bitwiseOr(in[1])), () -> of(ints(2, 3), ints(3)));
    s.sample("bitwise_xor", "", in -> of(in[0].bitwiseXor(in[1])), () -> of(ints(2, 3), ints(3)));
    s.sample("bitwise_left_shift", "", in -> of(in[0].bitwiseLeftShift(in[1])), () -> of(ints(2, 3), ints(3)));
    s.sample("bitwise_right_shift", "", in -> of(in[0].bitwiseRightShift(in[1])), () -> of(ints(2, 3), ints(3)));
    s.sample("bitwise_not", "", in -> of(in[0].bitwiseNot()), () -> of(ints(2, 3)));
    s.sample("argmax", "", in -> of(in[0].argmax(1, false)), () -> of(randn(2, 3)));
    s.sample("argmin", "", in -> of(in[0].argmin(-1, true)), () -> of(randn(2, 3)));
    s.sample("all", "", in -> of(in[0].all(1)), () -> of(randn(2, 3)));
    s.sample("any", "", in -> of(in[0].gt(0).any(0)), () -> of(randn(2, 3)));
    s.sample("count_nonzero", "", in -> of(in[0].gt(0).countNonzero(1)), () -> of(randn(2, 3)));
    s.sample("argsort", "", in -> of(in[0].argsort(1, true, true)), () -> of(randn(2, 3)));
    s.sample("unique", "", in -> of(in[0].round().unique()), () -> of(randn(2, 3)));
    s.sample("unique_dim", "", in -> uniqueDim(in[0]), () -> of(randn(3, 2).round()));
    s.sample("one_hot", "", in -> of(in[0].oneHot(5)), () -> of(Tensor.of(new long[] {0, 3, 1, 4}, 2, 2)));
    s.sample("nonzero", "", in -> of(in[0].gt(0).nonzero()), () -> of(randn(2, 3)));
    s.sample("embedding_renorm_", "", in -> of(Embeddings.embedding(in[0], in[1].mul(3), null, 1.0, 2, false)),
        () -> of(Tensor.of(new long[] {0, 2, 2}, 3), randn(4, 3)));
    registerCreation(s);
    registerRandom(s);
    registerOptimizerSteps(s);
  }

  private static Tensor ints(long... shape) {
    return Tensor.randint(new Generator(3), DType.INT64, 0, 8, shape);
  }

  private static Tensor[] uniqueDim(Tensor x) {
    var u = x.unique(true, true, true, 0);
    return of(u.values(), u.inverse(), u.counts());
  }

  /** Creation ops take no tensors: their samples make a tensor from arguments alone. */
  private static void registerCreation(GradSamples s) {
    s.sample("empty", "", in -> of(Tensor.empty(DType.FLOAT64, 2, 3).fill_(1.5)), () -> of());
    s.sample("zeros", "", in -> of(Tensor.zeros(DType.FLOAT32, 2, 3)), () -> of());
    s.sample("ones", "", in -> of(Tensor.ones(DType.INT64, 4)), () -> of());
    s.sample("full", "", in -> of(Tensor.full(2.5, 2, 2)), () -> of());
    s.sample("arange", "", in -> of(Tensor.arange(DType.FLOAT64, 0, 2, 0.25)), () -> of());
    s.sample("eye", "", in -> of(Tensor.eye(DType.FLOAT64, 2, 3)), () -> of());
  }

  /** Random ops draw from a generator made afresh in each call, so a call repeats its values. */
  private static void registerRandom(GradSamples s) {
    s.sample("rand", "", in -> of(Tensor.rand(new Generator(1), DType.FLOAT64, 2, 3)), () -> of());
    s.sample("randn", "", in -> of(Tensor.randn(new Generator(1), DType.FLOAT64, 2, 3)), () -> of());
    s.sample("randint", "", in -> of(Tensor.randint(new Generator(1), 0, 5, 2, 3)), () -> of());
    s.sample("randperm", "", in -> of(Tensor.randperm(new Generator(1), 6)), () -> of());
    s.sample("bernoulli", "", in -> of(in[0].sigmoid().bernoulli(new Generator(1))), () -> of(randn(2, 3)));
    s.sample("bernoulli_", "", in -> of(in[0].detach().clone().bernoulli_(0.3, new Generator(1))),
        () -> of(randn(2, 3)));
    s.sample("multinomial", "", in -> of(in[0].exp().multinomial(2, false, new Generator(1))), () -> of(randn(2, 3)));
    s.sample("normal_", "", in -> of(in[0].detach().clone().normal_(1, 2, new Generator(1))), () -> of(randn(2, 3)));
    s.sample("uniform_", "", in -> of(in[0].detach().clone().uniform_(-1, 1, new Generator(1))), () -> of(randn(2, 3)));
    s.sample("trunc_normal_", "", in -> of(Init.truncNormal_(in[0].detach().clone(), 0, 1, -2, 2, new Generator(1))),
        () -> of(randn(2, 3)));
    s.sample("orthogonal_", "", in -> of(Init.orthogonal_(in[0].detach().clone(), 1, new Generator(1))),
        () -> of(randn(3, 2)));
  }

  /** Each optimizer's fused step, on a copy of the parameter with the second input as its gradient. */
  private static void registerOptimizerSteps(GradSamples s) {
    step(s, "sgd_step", p -> new SGD(p, Map.of("lr", 0.1, "momentum", 0.9)));
    step(s, "adam_step", p -> new Adam(p, 0.1));
    step(s, "rmsprop_step", p -> new RMSprop(p, Map.of("lr", 0.1, "centered", true, "momentum", 0.5)));
    step(s, "adagrad_step", p -> new Adagrad(p, 0.1));
    step(s, "adadelta_step", p -> new Adadelta(p));
    step(s, "adamax_step", p -> new Adamax(p));
    step(s, "nadam_step", p -> new NAdam(p));
    step(s, "radam_step", p -> new RAdam(p));
    step(s, "asgd_step", p -> new ASGD(p, Map.of("lr", 0.1, "weight_decay", 0.1)));
    step(s, "rprop_step", p -> new Rprop(p, 0.1));
  }

  private static void step(GradSamples s, String op, Function<List<Tensor>, Optimizer> make) {
    s.sample(op, "", in -> {
      Tensor p = in[0].detach().clone().requiresGrad(in[0].dtype().isFloatingPoint());
      p.setGrad(in[1].detach().to(p.dtype()).clone());
      Optimizer opt = make.apply(List.of(p));
      opt.step();
      opt.step();
      return of(p);
    }, () -> of(randn(2, 3), randn(2, 3)));
  }
}
