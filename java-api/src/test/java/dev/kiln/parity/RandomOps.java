package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.nn.init.Init;
import dev.kiln.parity.Fixtures.Args;

/** Parity mapping: random ops (Tensor's factories and TensorRandom) and dev.kiln.nn.init.Init. */
final class RandomOps {
  private RandomOps() {}

  static void register(OpMap m) {
    m.on("randint", (x, a) -> a.has("dtype")
        ? Tensor.randint(a.dtype("dtype"), a.longValue("low"), a.longValue("high"), a.longs("shape"))
        : Tensor.randint(a.longValue("low"), a.longValue("high"), a.longs("shape")));
    m.on("randperm", (x, a) -> a.has("dtype") ? Tensor.randperm(a.dtype("dtype"), a.longValue("n"))
        : Tensor.randperm(a.longValue("n")));
    m.on("bernoulli", (x, a) -> a.has("p") ? x.get(0).bernoulli(real(a, "p")) : x.get(0).bernoulli());
    m.on("bernoulli_", (x, a) -> x.size() == 2 ? x.get(0).bernoulli_(x.get(1)) : x.get(0).bernoulli_(real(a, "p")));
    m.on("multinomial", (x, a) -> a.has("replacement")
        ? x.get(0).multinomial(a.longValue("num_samples"), a.bool("replacement", false))
        : x.get(0).multinomial(a.longValue("num_samples")));
    m.on("normal_", (x, a) -> x.get(0).normal_(real(a, "mean"), real(a, "std")));
    m.on("uniform_", (x, a) -> x.get(0).uniform_(real(a, "from"), real(a, "to")));
    m.unary("rand_like", Tensor::randLike);
    m.unary("randn_like", Tensor::randnLike);
    m.on("randint_like", (x, a) -> Tensor.randintLike(x.get(0), a.longValue("low"), a.longValue("high")));
    m.on("calculate_gain", (x, a) -> Tensor.scalar(a.has("param")
        ? Init.calculateGain(a.string("nonlinearity"), real(a, "param")) : Init.calculateGain(a.string("nonlinearity")),
        dev.kiln.DType.FLOAT64));
    m.on("constant_", (x, a) -> Init.constant_(x.get(0), real(a, "value")));
    m.unary("ones_", Init::ones_);
    m.unary("zeros_", Init::zeros_);
    m.unary("eye_", Init::eye_);
    m.on("dirac_", (x, a) -> a.has("groups") ? Init.dirac_(x.get(0), a.integer("groups")) : Init.dirac_(x.get(0)));
    m.on("xavier_uniform_", (x, a) -> a.has("gain") ? Init.xavierUniform_(x.get(0), real(a, "gain"))
        : Init.xavierUniform_(x.get(0)));
    m.on("xavier_normal_", (x, a) -> a.has("gain") ? Init.xavierNormal_(x.get(0), real(a, "gain"))
        : Init.xavierNormal_(x.get(0)));
    m.on("kaiming_uniform_", (x, a) -> a.has("mode")
        ? Init.kaimingUniform_(x.get(0), real(a, "a"), a.string("mode"), a.string("nonlinearity"))
        : Init.kaimingUniform_(x.get(0)));
    m.on("kaiming_normal_", (x, a) -> a.has("mode")
        ? Init.kaimingNormal_(x.get(0), real(a, "a"), a.string("mode"), a.string("nonlinearity"))
        : Init.kaimingNormal_(x.get(0)));
    m.on("trunc_normal_", (x, a) -> a.has("mean")
        ? Init.truncNormal_(x.get(0), real(a, "mean"), real(a, "std"), real(a, "a"), real(a, "b"))
        : Init.truncNormal_(x.get(0)));
    m.on("orthogonal_", (x, a) -> a.has("gain") ? Init.orthogonal_(x.get(0), real(a, "gain")) : Init.orthogonal_(x.get(0)));
  }

  private static double real(Args a, String name) {
    return a.scalar(name).asDouble();
  }
}
