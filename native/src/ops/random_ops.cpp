// Random ops: randint, randperm, bernoulli (and bernoulli_), multinomial, and the in-place fills normal_,
// uniform_, trunc_normal_ and orthogonal_ (the last two for nn.init). Each draws from an explicit Generator
// (passed as an int argument, 0 for the global one) and none is differentiable.
#include <cmath>
#include <limits>

#include "cpu/sampling.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

Generator& generator_arg(const OpArgs& args, size_t i, const char* op) {
  auto* gen = reinterpret_cast<Generator*>(int_arg(args, i, op));
  return gen ? *gen : Generator::default_generator();
}

void check_floating(const char* op, DType t, const char* what = "") {
  KILN_CHECK(is_floating(t), DType, op, ": not implemented for '", dtype_name(t), "'", what);
}

// Runs fill on self, or on a contiguous temporary copied into self when self is strided.
template <class Fill>
void write_into(const Tensor& self, Fill&& fill) {
  if (self.is_contiguous()) return fill(self);
  Tensor tmp = Tensor::empty(self.shape(), self.dtype(), self.device());
  fill(tmp);
  backend_for(self.device()).copy(self, tmp);
}

// The out-of-place meaning of an in-place fill (what autograd's in-place path runs): a new tensor like self.
template <IntoFn Into>
TensorList fresh_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), in[0].device());
  TensorList inputs = in;
  inputs[0] = out;
  Into(out, inputs, args);
  return {out};
}

// ---- randint, randperm

// ints: [dtype, generator, low, high, sizes...]
TensorList randint_fwd(const TensorList&, const OpArgs& args) {
  const DType t = dtype_arg(args, 0, "randint");
  const int64_t low = int_arg(args, 2, "randint"), high = int_arg(args, 3, "randint");
  KILN_CHECK(low < high, Argument, "randint: random_ expects 'from' to be less than 'to', but got from=", low,
             " >= to=", high);
  KILN_CHECK(t != DType::Bool || (low >= 0 && high <= 2), Argument, "randint: the range [", low, ", ", high,
             ") is out of bounds for bool");
  Tensor out = new_tensor(int_list(args, 4), t, "randint");
  check_cpu("randint", {out});
  cpu::randint_kernel(out, generator_arg(args, 1, "randint"), low, high);
  return {out};
}

// ints: [dtype, generator, n]
TensorList randperm_fwd(const TensorList&, const OpArgs& args) {
  const DType t = dtype_arg(args, 0, "randperm");
  const int64_t n = int_arg(args, 2, "randperm");
  KILN_CHECK(n >= 0, Argument, "randperm: n must be non-negative, got ", n);
  KILN_CHECK(t != DType::Bool, DType, "randperm: not implemented for 'bool'");
  KILN_CHECK(t != DType::Float32 || n <= (int64_t{1} << 24) + 1, Argument,
             "randperm: n cannot be greater than 2^24+1 for float32, got ", n);
  KILN_CHECK(t != DType::Float64 || n <= (int64_t{1} << 53) + 1, Argument,
             "randperm: n cannot be greater than 2^53+1 for float64, got ", n);
  Tensor out = new_tensor({n}, t, "randperm");
  cpu::randperm_kernel(out, generator_arg(args, 1, "randperm"));
  return {out};
}

// ---- bernoulli

// p as a contiguous Float64 tensor of shape, its values checked to lie in [0, 1].
Tensor probabilities(const char* op, const Tensor& p, const Shape& shape) {
  KILN_CHECK(is_floating(p.dtype()), DType, op, ": expected a floating point probability tensor, got ",
             dtype_name(p.dtype()));
  const Shape b = broadcast_shapes(p.shape(), shape, op);
  KILN_CHECK(b == shape, Shape, op, ": probabilities of shape ", shape_str(p.shape()),
             " cannot be broadcast to the shape ", shape_str(shape));
  Tensor pc = Tensor::empty(shape, DType::Float64, p.device());
  backend_for(p.device()).copy(pc, expand_to(p, shape));
  const double* v = pc.data<double>();
  for (int64_t i = 0; i < pc.numel(); ++i)
    KILN_CHECK(v[i] >= 0 && v[i] <= 1, Argument, op, ": expected every probability p to be in [0, 1], got ", v[i]);
  return pc;
}

double probability_arg(const char* op, const OpArgs& args) {
  const double p = real_arg(args, 0, op);
  KILN_CHECK(p >= 0 && p <= 1, Argument, op, ": expects p to be in [0, 1], but got p=", p);
  return p;
}

// bernoulli(p; ints: generator): 0/1 in p's dtype; bernoulli(x; ints: generator; reals: p): x's shape and dtype.
TensorList bernoulli_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("bernoulli", {x});
  Generator& gen = generator_arg(args, 0, "bernoulli");
  Tensor out;
  if (!args.reals.empty()) {
    const double p = probability_arg("bernoulli", args);
    out = Tensor::empty(x.shape(), x.dtype(), x.device());
    cpu::bernoulli_kernel(out, Tensor(), p, gen);
  } else {
    const Tensor p = probabilities("bernoulli", x, x.shape());
    out = Tensor::empty(x.shape(), x.dtype(), x.device());
    cpu::bernoulli_kernel(out, p, 0, gen);
  }
  return {out};
}

// bernoulli_(self[, p]; ints: generator[; reals: p]): the probabilities are a tensor broadcast to self, or one value.
void bernoulli_into(const Tensor& self, const TensorList& in, const OpArgs& args) {
  KILN_CHECK(in.size() == 1 || in.size() == 2, Argument, "bernoulli_: expected self and an optional probability tensor");
  check_cpu("bernoulli_", in);
  Generator& gen = generator_arg(args, 0, "bernoulli_");
  if (in.size() == 2) {
    const Tensor p = probabilities("bernoulli_", in[1], self.shape());
    write_into(self, [&](const Tensor& out) { cpu::bernoulli_kernel(out, p, 0, gen); });
  } else {
    const double p = probability_arg("bernoulli_", args);
    write_into(self, [&](const Tensor& out) { cpu::bernoulli_kernel(out, Tensor(), p, gen); });
  }
}

// ---- multinomial

// ints: [num_samples, replacement, generator]. Rows of a 1-D or 2-D tensor of non-negative weights.
TensorList multinomial_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& p = in[0];
  const char* op = "multinomial";
  check_cpu(op, {p});
  const int64_t k = int_arg(args, 0, op);
  const bool replacement = int_arg(args, 1, op) != 0;
  KILN_CHECK(p.dim() == 1 || p.dim() == 2, Shape, op, ": prob_dist must be 1 or 2 dim, got shape ", shape_str(p.shape()));
  KILN_CHECK(is_floating(p.dtype()), DType, op, ": only supports floating-point dtypes for input, got ",
             dtype_name(p.dtype()));
  KILN_CHECK(k > 0, Argument, op, ": cannot sample n_sample <= 0 samples (got ", k, ")");
  const int64_t n = p.shape().back(), rows = p.dim() == 2 ? p.shape()[0] : 1;
  KILN_CHECK(replacement || k <= n, Argument, op, ": cannot sample n_sample > prob_dist.size(-1) samples without "
             "replacement (", k, " > ", n, ")");
  Tensor probs = Tensor::empty({rows, n}, DType::Float64, p.device());
  backend_for(p.device()).copy(probs, p.dim() == 2 ? p : p.as_strided({1, n}, {0, p.strides()[0]}, p.offset()));
  // Each row: weights finite and >= 0, one of them positive (so the sum is), checked without a chain of adds.
  const double* v = probs.data<double>();
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = v + r * n;
    const int flags = cpu::weight_flags(row, n);
    for (int64_t j = 0; (flags & 1) && j < n; ++j)
      KILN_CHECK(std::isfinite(row[j]) && row[j] >= 0, Argument, op,
                 ": probability tensor contains either `inf`, `nan` or element < 0 (", row[j], ")");
    KILN_CHECK(flags & 2, Argument, op, ": invalid multinomial distribution (sum of probabilities <= 0) in row ", r);
  }
  Tensor out = new_tensor(p.dim() == 2 ? Shape{rows, k} : Shape{k}, DType::Int64, op, p.device());
  cpu::multinomial_kernel(out, probs, k, replacement, generator_arg(args, 2, op));
  return {out};
}

// ---- normal_, uniform_, trunc_normal_, orthogonal_

// ints: [generator]; reals: [mean, std]
void normal_into(const Tensor& self, const TensorList&, const OpArgs& args) {
  check_cpu("normal_", {self});
  check_floating("normal_", self.dtype());
  const double mean = real_arg(args, 0, "normal_"), std = real_arg(args, 1, "normal_");
  KILN_CHECK(std >= 0, Argument, "normal_: normal expects std >= 0.0, but found std ", std);
  Generator& gen = generator_arg(args, 0, "normal_");
  write_into(self, [&](const Tensor& out) { backend_for(out.device()).random(RandomOp::Normal, out, gen, mean, std); });
}

// ints: [generator]; reals: [from, to]
void uniform_into(const Tensor& self, const TensorList&, const OpArgs& args) {
  check_cpu("uniform_", {self});
  check_floating("uniform_", self.dtype());
  const double from = real_arg(args, 0, "uniform_"), to = real_arg(args, 1, "uniform_");
  const double limit = self.dtype() == DType::Float32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  KILN_CHECK(std::fabs(from) <= limit && std::fabs(to) <= limit, Argument, "uniform_: from=", from, " and to=", to,
             " must be finite ", dtype_name(self.dtype()), " values");
  KILN_CHECK(from <= to, Argument, "uniform_: uniform_ expects to return a [from, to) range, but found from=", from,
             " > to=", to);
  KILN_CHECK(to - from <= limit, Argument, "uniform_: expects to - from <= the largest ", dtype_name(self.dtype()),
             ", but found to=", to, " and from=", from);
  Generator& gen = generator_arg(args, 0, "uniform_");
  write_into(self, [&](const Tensor& out) { backend_for(out.device()).random(RandomOp::Uniform, out, gen, from, to); });
}

// ints: [generator]; reals: [mean, std, a, b]
void trunc_normal_into(const Tensor& self, const TensorList&, const OpArgs& args) {
  const char* op = "trunc_normal_";
  check_cpu(op, {self});
  check_floating(op, self.dtype());
  const double mean = real_arg(args, 0, op), std = real_arg(args, 1, op), a = real_arg(args, 2, op),
               b = real_arg(args, 3, op);
  KILN_CHECK(std >= 0 && std::isfinite(std) && std::isfinite(mean), Argument, op,
             ": expects a finite mean and a finite std >= 0, got mean ", mean, ", std ", std);
  KILN_CHECK(a <= b, Argument, op, ": expects the bounds a <= b, got a=", a, " > b=", b);
  Generator& gen = generator_arg(args, 0, op);
  write_into(self, [&](const Tensor& out) { cpu::trunc_normal_kernel(out, gen, mean, std, a, b); });
}

// ints: [generator]; reals: [gain]
void orthogonal_into(const Tensor& self, const TensorList&, const OpArgs& args) {
  const char* op = "orthogonal_";
  check_cpu(op, {self});
  check_floating(op, self.dtype());
  KILN_CHECK(self.dim() >= 2, Shape, op, ": Only tensors with 2 or more dimensions are supported (got shape ",
             shape_str(self.shape()), ")");
  const double gain = real_arg(args, 0, op);
  Generator& gen = generator_arg(args, 0, op);
  write_into(self, [&](const Tensor& out) { cpu::orthogonal_kernel(out, gen, gain); });
}

const OpDef kRandint{"randint", "randint(ints: dtype, generator, low, high, sizes...)", 0, OpKind::Creation, randint_fwd};
const OpDef kRandperm{"randperm", "randperm(ints: dtype, generator, n)", 0, OpKind::Creation, randperm_fwd};
const OpDef kBernoulli{"bernoulli", "bernoulli(Tensor p; ints: generator) | bernoulli(Tensor x; ints: generator; reals: p)",
                       1, OpKind::Primitive, bernoulli_fwd};
const OpDef kBernoulliInplace{"bernoulli_", "bernoulli_(Tensor self[, Tensor p]; ints: generator[; reals: p]) [in-place]",
                              -1, OpKind::Primitive, fresh_fwd<bernoulli_into>, bernoulli_into};
const OpDef kMultinomial{"multinomial", "multinomial(Tensor p; ints: num_samples, replacement, generator)", 1,
                         OpKind::Primitive, multinomial_fwd};
const OpDef kNormal{"normal_", "normal_(Tensor self; ints: generator; reals: mean, std) [in-place]", 1,
                    OpKind::Primitive, fresh_fwd<normal_into>, normal_into};
const OpDef kUniform{"uniform_", "uniform_(Tensor self; ints: generator; reals: from, to) [in-place]", 1,
                     OpKind::Primitive, fresh_fwd<uniform_into>, uniform_into};
const OpDef kTruncNormal{"trunc_normal_", "trunc_normal_(Tensor self; ints: generator; reals: mean, std, a, b) [in-place]",
                         1, OpKind::Primitive, fresh_fwd<trunc_normal_into>, trunc_normal_into};
const OpDef kOrthogonal{"orthogonal_", "orthogonal_(Tensor self; ints: generator; reals: gain) [in-place]", 1,
                        OpKind::Primitive, fresh_fwd<orthogonal_into>, orthogonal_into};

int64_t gen_int(Generator* gen) { return reinterpret_cast<int64_t>(gen); }

}  // namespace

void add_random_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kRandint, &kRandperm, &kBernoulli, &kBernoulliInplace, &kMultinomial, &kNormal, &kUniform,
                             &kTruncNormal, &kOrthogonal});
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, DType dtype, Generator* gen) {
  OpArgs a{{static_cast<int64_t>(dtype), gen_int(gen), low, high}, {}};
  a.ints.insert(a.ints.end(), shape.begin(), shape.end());
  return call1(kRandint, {}, a);
}
Tensor randperm(int64_t n, DType dtype, Generator* gen) {
  return call1(kRandperm, {}, OpArgs{{static_cast<int64_t>(dtype), gen_int(gen), n}, {}});
}
Tensor bernoulli(const Tensor& p, Generator* gen) { return call1(kBernoulli, {p}, OpArgs{{gen_int(gen)}, {}}); }
Tensor bernoulli(const Tensor& x, double p, Generator* gen) { return call1(kBernoulli, {x}, OpArgs{{gen_int(gen)}, {p}}); }
Tensor& bernoulli_(Tensor& self, double p, Generator* gen) {
  call_inplace(kBernoulliInplace, {self}, OpArgs{{gen_int(gen)}, {p}});
  return self;
}
Tensor& bernoulli_(Tensor& self, const Tensor& p, Generator* gen) {
  call_inplace(kBernoulliInplace, {self, p}, OpArgs{{gen_int(gen)}, {}});
  return self;
}
Tensor multinomial(const Tensor& p, int64_t num_samples, bool replacement, Generator* gen) {
  return call1(kMultinomial, {p}, OpArgs{{num_samples, replacement ? 1 : 0, gen_int(gen)}, {}});
}
Tensor& normal_(Tensor& self, double mean, double std, Generator* gen) {
  call_inplace(kNormal, {self}, OpArgs{{gen_int(gen)}, {mean, std}});
  return self;
}
Tensor& uniform_(Tensor& self, double from, double to, Generator* gen) {
  call_inplace(kUniform, {self}, OpArgs{{gen_int(gen)}, {from, to}});
  return self;
}
Tensor& trunc_normal_(Tensor& self, double mean, double std, double a, double b, Generator* gen) {
  call_inplace(kTruncNormal, {self}, OpArgs{{gen_int(gen)}, {mean, std, a, b}});
  return self;
}
Tensor& orthogonal_(Tensor& self, double gain, Generator* gen) {
  call_inplace(kOrthogonal, {self}, OpArgs{{gen_int(gen)}, {gain}});
  return self;
}
Tensor rand_like(const Tensor& x, Generator* gen) { return rand(x.shape(), x.dtype(), gen); }
Tensor randn_like(const Tensor& x, Generator* gen) { return randn(x.shape(), x.dtype(), gen); }
Tensor randint_like(const Tensor& x, int64_t low, int64_t high, Generator* gen) {
  return randint(low, high, x.shape(), x.dtype(), gen);
}

}  // namespace kiln
