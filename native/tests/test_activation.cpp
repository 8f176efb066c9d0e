// Activations: values against double-precision references of their formulas (float32 through the vectorized
// path, float64), every layout giving the same bits, the fused backward ops against finite differences and
// against the second derivatives through autograd, prelu, glu and rrelu, and bad input.
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "autograd/grad_mode.h"
#include "cpu/simd.h"
#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Fn = std::function<Tensor(const Tensor&)>;
using Ref = std::function<double(double)>;

double sigmoid_d(double x) { return 1 / (1 + std::exp(-x)); }
double softplus_d(double x) { return x > 20 ? x : std::log1p(std::exp(x)); }

struct Activation {
  const char* name;
  Fn f;
  Ref ref;
  Fn grad;  // x -> f'(x) through the fused backward op (grad = 1)
};

std::vector<Activation> activations() {
  auto ones_like = [](const Tensor& x) { return ones(x.shape(), x.dtype()); };
  return {
      {"softplus", [](const Tensor& x) { return softplus(x, 2.0, 10.0); },
       [](double x) { return 2 * x > 10 ? x : std::log1p(std::exp(2 * x)) / 2; },
       [=](const Tensor& x) { return softplus_backward(ones_like(x), x, 2.0, 10.0); }},
      {"gelu", [](const Tensor& x) { return gelu(x); }, [](double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); },
       [=](const Tensor& x) { return gelu_backward(ones_like(x), x); }},
      {"gelu_tanh", [](const Tensor& x) { return gelu(x, "tanh"); },
       [](double x) { return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))); },
       [=](const Tensor& x) { return gelu_backward(ones_like(x), x, "tanh"); }},
      {"silu", [](const Tensor& x) { return silu(x); }, [](double x) { return x * sigmoid_d(x); },
       [=](const Tensor& x) { return silu_backward(ones_like(x), x); }},
      {"mish", [](const Tensor& x) { return mish(x); }, [](double x) { return x * std::tanh(softplus_d(x)); },
       [=](const Tensor& x) { return mish_backward(ones_like(x), x); }},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); }, [](double x) { return x > 0 ? x : 0.2 * x; },
       [=](const Tensor& x) { return leaky_relu_backward(ones_like(x), x, 0.2); }},
      {"elu", [](const Tensor& x) { return elu(x, 1.5, 2.0, 0.5); },
       [](double x) { return x > 0 ? 2 * x : 3 * std::expm1(0.5 * x); },
       [=](const Tensor& x) { return elu_backward(ones_like(x), x, 1.5, 2.0, 0.5); }},
      {"hardtanh", [](const Tensor& x) { return hardtanh(x, -0.5, 2.0); },
       [](double x) { return std::min(std::max(x, -0.5), 2.0); },
       [=](const Tensor& x) { return hardtanh_backward(ones_like(x), x, -0.5, 2.0); }},
      {"hardsigmoid", [](const Tensor& x) { return hardsigmoid(x); },
       [](double x) { return std::min(std::max(x + 3, 0.0), 6.0) / 6; },
       [=](const Tensor& x) { return hardsigmoid_backward(ones_like(x), x); }},
      {"hardswish", [](const Tensor& x) { return hardswish(x); },
       [](double x) { return x * std::min(std::max(x + 3, 0.0), 6.0) / 6; },
       [=](const Tensor& x) { return hardswish_backward(ones_like(x), x); }},
      {"softsign", [](const Tensor& x) { return softsign(x); }, [](double x) { return x / (1 + std::fabs(x)); },
       [=](const Tensor& x) { return softsign_backward(ones_like(x), x); }},
      {"log_sigmoid", [](const Tensor& x) { return log_sigmoid(x); }, [](double x) { return -softplus_d(-x); },
       [=](const Tensor& x) { return log_sigmoid_backward(ones_like(x), x); }},
  };
}

// The relative error of got against want, with an absolute floor (results near 0 are compared absolutely).
double rel_err(double got, double want, double floor) {
  if (std::isnan(want)) return std::isnan(got) ? 0 : kInf;
  if (std::isinf(want)) return got == want ? 0 : kInf;
  return std::fabs(got - want) / std::max(std::fabs(want), floor);
}

}  // namespace

TEST(forward_values_match_double_references) {
  // A dense sweep over [-12, 12] with the points where branches switch.
  std::vector<double> xs;
  for (int i = -24000; i <= 24000; ++i) xs.push_back(i * 0.0005);
  for (double v : {-3.0, 3.0, 5.0, -1e-6, 1e-6, 0.0, -0.0, 30.0, -30.0, 88.0, -100.0}) xs.push_back(v);
  const Tensor x64 = make(xs, {static_cast<int64_t>(xs.size())}, DType::Float64);
  const Tensor x32 = to(x64, DType::Float32);
  for (const Activation& a : activations()) {
    const std::vector<double> got64 = test::values(a.f(x64)), got32 = test::values(a.f(x32)), in32 = test::values(x32);
    // gelu scales its input by 1/sqrt(2) first: that rounding moves erfc's tail by about x^2 ulp.
    const bool scaled = std::string(a.name) == "gelu";
    // gelu's tanh form is PyTorch's 0.5 x (1 + tanh(u)), which cancels for negative x: compared absolutely.
    const bool cancels = std::string(a.name) == "gelu_tanh";
    const double floor32 = cancels ? 1.0 : 1e-6, floor64 = cancels ? 1.0 : 1e-300;
    for (size_t i = 0; i < xs.size(); ++i) {
      const double e64 = rel_err(got64[i], a.ref(xs[i]), floor64), e32 = rel_err(got32[i], a.ref(in32[i]), floor32);
      if (e64 > 1e-13 * (scaled ? 1 + xs[i] * xs[i] : 1) || e32 > 3e-7 * (scaled ? 1 + in32[i] * in32[i] : 1)) {
        std::ostringstream s;
        s << a.name << "(" << xs[i] << "): float64 " << got64[i] << " float32 " << got32[i] << " want " << a.ref(xs[i]);
        test::fail_at(__FILE__, __LINE__, s.str());
      }
    }
  }
}

TEST(special_values_follow_pytorch) {
  const Tensor x = make({kNaN, kInf, -kInf}, {3});
  CHECK_VALUES(softplus(x), 0, {kNaN, kInf, 0});
  CHECK_VALUES(silu(x), 0, {kNaN, kInf, kNaN});  // -inf / (1 + inf)
  CHECK_VALUES(leaky_relu(x), 0, {kNaN, kInf, -kInf});
  CHECK_VALUES(elu(x), 0, {kNaN, kInf, -1});
  CHECK_VALUES(hardtanh(x), 0, {kNaN, 1, -1});
  CHECK_VALUES(hardsigmoid(x), 0, {kNaN, 1, 0});
  CHECK_VALUES(softsign(x), 0, {kNaN, kNaN, kNaN});  // inf / inf, as PyTorch's composite
  CHECK_VALUES(log_sigmoid(x), 0, {kNaN, 0, -kInf});
  CHECK_VALUES(mish(x), 0, {kNaN, kInf, kNaN});
  // min_val > max_val: every element is max_val, as torch.clamp gives.
  CHECK_VALUES(hardtanh(make({-5, 0, 5}, {3}), 2.0, 1.0), 0, {1, 1, 1});
}

TEST(every_layout_gives_the_same_bits) {
  const Tensor base = uniform({6, 10}, 3, -6, 6);
  const Tensor t = transpose(base, 0, 1), s = slice(base, 1, 1, 9, 3), e = expand(slice(base, 0, 0, 1), {4, 10});
  for (const Activation& a : activations()) {
    for (const Tensor& v : {t, s, e}) {
      CHECK_SAME(a.f(v), a.f(contiguous(v)), 0);
      CHECK_SAME(a.grad(v), a.grad(contiguous(v)), 0);
    }
    // A long run through the vectorized path against the strided one, element by element.
    const Tensor big = uniform({3, 20000}, 5, -12, 12);
    CHECK_SAME(a.f(transpose(contiguous(transpose(big, 0, 1)), 0, 1)), a.f(big), 0);
  }
}

TEST(gelu_float32_gives_the_same_bits_with_and_without_avx512) {
  // Contiguous float32 gelu runs AVX-512 loops where the CPU has them (cpu/gelu_avx512.h), the portable ones
  // elsewhere: the same arithmetic, so the same bits, forward and backward, for special values (NaN, infinities,
  // zeros, subnormals, the largest floats, both sides of the tail where exp(-x^2 / 2) reaches 0) and for random
  // bit patterns, over lengths that leave every vector tail.
  std::vector<uint32_t> bits = {0x7fc00000u, 0xffc00000u, 0x7f800000u, 0xff800000u, 0x00000000u, 0x80000000u,
                                0x00000001u, 0x80000001u, 0x007fffffu, 0x807fffffu, 0x7f7fffffu, 0xff7fffffu};
  for (float v : {14.42f, 14.43f, 14.4202f, 0.5f, 1.0f, 3.0f, 10.0f}) {
    for (float s : {1.0f, -1.0f}) {
      uint32_t b;
      const float x = s * v;
      std::memcpy(&b, &x, 4);
      for (uint32_t d : {0u, 1u, 2u, 3u}) bits.push_back(b - d), bits.push_back(b + d);
    }
  }
  uint64_t state = 12345;
  while (bits.size() < 20011) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    bits.push_back(static_cast<uint32_t>(state >> 32));
  }
  auto from_bits = [](const uint32_t* b, int64_t n) {
    Tensor t = empty({n}, DType::Float32);
    std::memcpy(t.raw_data(), b, static_cast<size_t>(n) * 4);
    return t;
  };
  auto both = [](const Tensor& x, const Tensor& g) {
    return std::vector<Tensor>{gelu(x), gelu_backward(g, x)};
  };
  struct Portable {
    Portable() { cpu::avx512_allowed() = false; }
    ~Portable() { cpu::avx512_allowed() = true; }
  };
  for (int64_t n : {int64_t(1), int64_t(15), int64_t(16), int64_t(33), static_cast<int64_t>(bits.size())}) {
    const Tensor x = from_bits(bits.data(), n), g = from_bits(bits.data() + bits.size() - n, n);
    const std::vector<Tensor> fast = both(x, g);
    std::vector<Tensor> portable;
    {
      Portable off;
      portable = both(x, g);
    }
    for (size_t k = 0; k < fast.size(); ++k) {
      CHECK(std::memcmp(fast[k].raw_data(), portable[k].raw_data(), static_cast<size_t>(n) * 4) == 0);
    }
  }
}

TEST(backward_ops_match_finite_differences) {
  const Tensor x = make({-7.5, -3.7, -2.2, -1.1, -0.3, 0.45, 1.3, 2.9, 3.6, 6.1, 11.0, 17.0}, {12}, DType::Float64);
  const double h = 1e-6;
  for (const Activation& a : activations()) {
    const Tensor numeric = div(sub(a.f(add(x, Scalar(h))), a.f(sub(x, Scalar(h)))), Scalar(2 * h));
    CHECK_SAME(a.grad(x), numeric, 1e-6);
  }
}

TEST(backward_ops_broadcast_the_gradient) {
  const Tensor x = uniform({4, 5}, 9, -4, 4, DType::Float64);
  const Tensor g = make({0.5, -2, 1, 3, 0.25}, {5}, DType::Float64);
  CHECK_SAME(gelu_backward(g, x), mul(gelu_backward(ones({4, 5}, DType::Float64), x), g), 1e-15);
  CHECK_SAME(silu_backward(expand(make({2.0}, {}, DType::Float64), {4, 5}), x),
             mul(silu_backward(ones({4, 5}, DType::Float64), x), Scalar(2.0)), 1e-15);
}

TEST(second_derivatives_through_autograd) {
  // d/dx of the fused backward op, recorded, against finite differences of it.
  const Tensor x0 = make({-2.6, -1.2, -0.4, 0.3, 1.7, 2.8}, {6}, DType::Float64);
  const double h = 1e-6;
  for (const Activation& a : activations()) {
    Tensor x = clone(x0);
    set_requires_grad(x, true);
    const Tensor d1 = a.grad(x);
    const Tensor d2 = grad({d1}, {x}, {ones({6}, DType::Float64)}, false, false, true)[0];
    GradModeGuard off(false);
    const Tensor numeric = div(sub(a.grad(add(x0, Scalar(h))), a.grad(sub(x0, Scalar(h)))), Scalar(2 * h));
    if (d2.defined()) CHECK_SAME(d2, numeric, 1e-5);
    else CHECK_SAME(numeric, zeros({6}, DType::Float64), 1e-9);
  }
}

TEST(selu_celu_relu6_are_elu_and_hardtanh) {
  const Tensor x = uniform({50}, 11, -4, 8, DType::Float64);
  CHECK_SAME(selu(x), elu(x, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946), 0);
  CHECK_SAME(celu(x, 2.0), elu(x, 2.0, 1.0, 0.5), 0);
  CHECK_SAME(relu6(x), hardtanh(x, 0, 6), 0);
  Tensor y = clone(x);
  set_requires_grad(y, true);
  CHECK_EQ(grad_fn_name(selu(y)), std::string("EluBackward0"));
  CHECK_EQ(grad_fn_name(celu(y)), std::string("CeluBackward0"));
  CHECK_EQ(grad_fn_name(relu6(y)), std::string("HardtanhBackward0"));
  CHECK_EQ(grad_fn_name(gelu(y)), std::string("GeluBackward0"));
}

TEST(integer_inputs) {
  const Tensor i = make({-3, -1, 0, 2, 7}, {5}, DType::Int64);
  const Tensor h = hardtanh(i, -1.5, 1.5);  // bounds truncate toward zero
  CHECK_EQ(h.dtype(), DType::Int64);
  CHECK_VALUES(h, 0, {-1, -1, 0, 1, 1});
  CHECK_VALUES(relu6(i), 0, {0, 0, 0, 2, 6});
  const Tensor s = softsign(i);
  CHECK_EQ(s.dtype(), DType::Float32);
  CHECK_VALUES(s, 1e-7, {-0.75, -0.5, 0, 2.0 / 3, 0.875});
  CHECK_THROWS(gelu(i), DType, "gelu: not implemented for 'int64'");
  CHECK_THROWS(softplus(i), DType, "softplus");
  CHECK_THROWS(relu6(make({1}, {1}, DType::Bool)), DType, "relu6: not implemented for 'bool'");
  CHECK_THROWS(selu(i), DType, "selu");
}

TEST(bad_arguments) {
  const Tensor x = uniform({2, 3}, 1);
  CHECK_THROWS(celu(x, 0.0), Argument, "celu: ZeroDivisionError");
  CHECK_THROWS(gelu(x, "exact"), Argument, "approximate argument must be either none or tanh");
  CHECK_THROWS(gelu_backward(ones({3, 3}), x), Shape, "gelu_backward");
}

TEST(prelu_forward_and_backward) {
  const Tensor x = make({-2, 1, -3, 4, -1, -0.5, 2, -4}, {2, 2, 2});
  const Tensor w = make({0.25, 0.5}, {2});
  CHECK_VALUES(prelu(x, w), 1e-7, {-0.5, 1, -1.5, 4, -0.25, -0.125, 2, -2});
  CHECK_VALUES(prelu(x, make({0.1}, {1})), 1e-7, {-0.2, 1, -0.3, 4, -0.1, -0.05, 2, -0.4});
  CHECK_VALUES(prelu(make({-2.0}, {}), make({0.25}, {})), 1e-7, {-0.5});
  const Tensor g = make({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});
  auto [gx, gw] = prelu_backward(g, x, w);
  CHECK_VALUES(gx, 1e-7, {0.25, 2, 1.5, 4, 1.25, 1.5, 7, 4});
  CHECK_VALUES(gw, 1e-6, {-2 * 1 + -1 * 5 + -0.5 * 6, -3 * 3 + -4 * 8});
  // A transposed input gives the same gradients as its contiguous copy.
  const Tensor xt = transpose(x, 0, 2), gt = contiguous(transpose(g, 0, 2));
  auto [gx1, gw1] = prelu_backward(gt, xt, w);
  auto [gx2, gw2] = prelu_backward(gt, contiguous(xt), w);
  CHECK_SAME(gx1, gx2, 0);
  CHECK_SAME(gw1, gw2, 0);
}

TEST(prelu_weight_gradient_does_not_depend_on_threads) {
  const Tensor x = uniform({3, 4, 50000}, 21, -1, 1), g = uniform({3, 4, 50000}, 22, -1, 1);
  for (const Tensor& w : {uniform({4}, 23, 0, 1), uniform({1}, 24, 0, 1)}) {
    Tensor one, many;
    {
      ThreadCount t(1);
      one = prelu_backward(g, x, w).second;
    }
    {
      ThreadCount t(4);
      many = prelu_backward(g, x, w).second;
    }
    CHECK_SAME(one, many, 0);
    const Tensor x64 = to(x, DType::Float64), g64 = to(g, DType::Float64);
    const Tensor contribution = mul(mul(g64, x64), to(le(x64, wrapped_scalar(Scalar(0.0))), DType::Float64));
    const Tensor want = w.numel() == 1 ? reshape(sum(contribution), {1}) : sum(contribution, {0, 2});
    CHECK_SAME(one, want, 1e-5);
  }
}

TEST(prelu_bad_input) {
  const Tensor x = uniform({2, 3, 4}, 2);
  CHECK_THROWS(prelu(x, ones({2})), Shape, "prelu: Mismatch of parameter numbers and input channel size");
  CHECK_THROWS(prelu(x, ones({3, 1})), Shape, "prelu: Expected `weight` to be a scalar or 1D tensor, but got ndim = 2");
  CHECK_THROWS(prelu(x, ones({3}, DType::Float64)), DType, "prelu: expected the weight to have the input's dtype float32");
  CHECK_THROWS(prelu(make({1, 2}, {2}, DType::Int64), ones({1}, DType::Int64)), DType, "prelu: not implemented for 'int64'");
  CHECK_THROWS(prelu(make({1, 2, 3}, {3}), ones({3})), Shape, "channel size = 1");
}

TEST(glu_forward_backward_and_layouts) {
  const Tensor x = make({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}, DType::Float64);
  const Tensor y = glu(x);  // dim -1: [1, 2] gated by [3, 4]
  CHECK_SHAPE(y, {2, 2});
  CHECK_VALUES(y, 1e-15, {1 * sigmoid_d(3), 2 * sigmoid_d(4), 5 * sigmoid_d(7), 6 * sigmoid_d(8)});
  CHECK_VALUES(glu(x, 0), 1e-15, {1 * sigmoid_d(5), 2 * sigmoid_d(6), 3 * sigmoid_d(7), 4 * sigmoid_d(8)});
  const Tensor g = make({1, -1, 2, 0.5}, {2, 2}, DType::Float64);
  const double s3 = sigmoid_d(3);
  const Tensor gx = glu_backward(g, x, 1);
  CHECK_SHAPE(gx, {2, 4});
  CHECK_VALUES(slice(gx, 1, 0, 1), 1e-15, {s3, 2 * sigmoid_d(7)});
  CHECK_VALUES(slice(gx, 1, 2, 3), 1e-15, {s3 * (1 - s3) * 1, 2 * 5 * sigmoid_d(7) * (1 - sigmoid_d(7))});
  const Tensor big = uniform({6, 8, 5}, 4, -3, 3);
  const Tensor bt = transpose(big, 0, 2);
  CHECK_SAME(glu(bt, 1), glu(contiguous(bt), 1), 0);
  const Tensor gg = uniform({5, 4, 6}, 6);
  CHECK_SAME(glu_backward(gg, bt, 1), glu_backward(gg, contiguous(bt), 1), 0);
}

TEST(glu_bad_input) {
  CHECK_THROWS(glu(ones({2, 3}), 1), Shape, "glu: Halving dimension must be even, but dimension 1 is size 3");
  CHECK_THROWS(glu(ones({2, 4}), 2), Index, "glu");
  CHECK_THROWS(glu(ones({}), 0), Shape, "glu: glu does not support scalars");
  CHECK_THROWS(glu(make({1, 2}, {2}, DType::Int64)), DType, "glu: not implemented for 'int64'");
}

TEST(empty_inputs) {
  const Tensor e = zeros({0, 3});
  for (const Activation& a : activations()) {
    CHECK_SHAPE(a.f(e), {0, 3});
    CHECK_SHAPE(a.grad(e), {0, 3});
  }
  CHECK_SHAPE(prelu(e, ones({3})), {0, 3});
  CHECK_VALUES(prelu_backward(e, e, ones({3})).second, 0, {0, 0, 0});
  CHECK_SHAPE(glu(zeros({0, 4})), {0, 2});
}

// relu's backward: one pass for float32 and float64, where and le for other dtypes; the threshold itself and
// anything below give 0, NaN passes the gradient on (PyTorch's threshold_backward).
TEST(threshold_backward_is_relus_gradient) {
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor x = make({-1, 0, 0.5, 2, kNaN, -kInf, kInf}, {7}, t), g = make({1, 2, 3, 4, 5, 6, 7}, {7}, t);
    CHECK_VALUES(threshold_backward(g, x, 0.0), 0, {0, 0, 3, 4, 5, 0, 7});
    CHECK_VALUES(threshold_backward(g, x, 0.5), 0, {0, 0, 0, 4, 5, 0, 7});
    Tensor xl = clone(x);
    set_requires_grad(xl, true);
    CHECK_VALUES(kiln::grad({relu(xl)}, {xl}, {g})[0], 0, {0, 0, 3, 4, 5, 0, 7});
  }
  // a long contiguous run (vector loop and tail) against where and le, a broadcast gradient and strided x
  const Tensor x = uniform({3, 1001}, 1), g = uniform({3, 1001}, 2);
  const Tensor ref = where(le(x, zeros({}, DType::Float32)), zeros({}, DType::Float32), g);
  CHECK_SAME(threshold_backward(g, x, 0.0), ref, 0);
  CHECK_SAME(threshold_backward(g, transpose(contiguous(transpose(x, 0, 1)), 0, 1), 0.0), ref, 0);
  const Tensor row = uniform({1001}, 3);
  CHECK_SAME(threshold_backward(row, x, 0.0), where(le(x, zeros({}, DType::Float32)), zeros({}, DType::Float32), row), 0);
  // integers and mixed dtypes promote as a binary op
  CHECK_VALUES(threshold_backward(make({1, 2, 3}, {3}, DType::Int64), make({-1, 0, 1}, {3}, DType::Int64), 0.0), 0,
               {0, 0, 3});
  CHECK(threshold_backward(make({1}, {1}, DType::Float32), make({1}, {1}, DType::Float64), 0.0).dtype() ==
        DType::Float64);
}

// sigmoid's and tanh's backward from the output, fused: the bits of PyTorch's formulas in ordinary ops (same
// order of rounding), over contiguous runs with tails, broadcast and strided operands, float16 through the ops,
// and second derivatives through autograd against the closed forms.
TEST(sigmoid_and_tanh_backward_from_the_output) {
  auto sig_ref = [](const Tensor& g, const Tensor& y) { return mul(mul(g, sub(ones({}, y.dtype()), y)), y); };
  auto tanh_ref = [](const Tensor& g, const Tensor& y) { return mul(g, sub(ones({}, y.dtype()), mul(y, y))); };
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor y = to(uniform({3, 1001}, 4), t), g = to(uniform({3, 1001}, 5), t);
    CHECK_SAME(sigmoid_backward(g, y), sig_ref(g, y), 0);
    CHECK_SAME(tanh_backward(g, y), tanh_ref(g, y), 0);
    const Tensor ys = transpose(contiguous(transpose(y, 0, 1)), 0, 1), row = to(uniform({1001}, 6), t);
    CHECK_SAME(sigmoid_backward(g, ys), sig_ref(g, y), 0);
    CHECK_SAME(tanh_backward(row, ys), tanh_ref(row, y), 0);
    const Tensor special = make({0, 1, -1, kNaN, kInf}, {5}, t), gs = make({2, 3, 4, 5, 1}, {5}, t);
    CHECK_SAME(sigmoid_backward(gs, special), sig_ref(gs, special), 0);
    CHECK_SAME(tanh_backward(gs, special), tanh_ref(gs, special), 0);
  }
  const Tensor yh = to(uniform({7}, 7), DType::Float16), gh = to(uniform({7}, 8), DType::Float16);
  CHECK(sigmoid_backward(gh, yh).dtype() == DType::Float16);
  CHECK_SAME(sigmoid_backward(gh, yh), sig_ref(gh, yh), 0);
  CHECK(tanh_backward(gh, to(yh, DType::Float64)).dtype() == DType::Float64);
  // f'' through the fused rows: s (1 - s) (1 - 2 s) and -2 t (1 - t^2)
  Tensor x = make({-2, -0.5, 0.3, 1.7}, {4}, DType::Float64);
  set_requires_grad(x, true);
  const Tensor s = sigmoid(x), th = tanh(x);
  const Tensor ds = kiln::grad({s}, {x}, {ones({4}, DType::Float64)}, true, true)[0];
  const Tensor dt = kiln::grad({th}, {x}, {ones({4}, DType::Float64)}, true, true)[0];
  const Tensor d2s = kiln::grad({ds}, {x}, {ones({4}, DType::Float64)})[0];
  const Tensor d2t = kiln::grad({dt}, {x}, {ones({4}, DType::Float64)})[0];
  const double xs[] = {-2, -0.5, 0.3, 1.7};
  std::vector<double> want_s, want_t;
  for (double v : xs) {
    const double sv = sigmoid_d(v), tv = std::tanh(v);
    want_s.push_back(sv * (1 - sv) * (1 - 2 * sv));
    want_t.push_back(-2 * tv * (1 - tv * tv));
  }
  CHECK_VALUES(d2s, 1e-12, want_s);
  CHECK_VALUES(d2t, 1e-12, want_t);
}

// rrelu: evaluation is leaky_relu with the mean slope; training scales each x <= 0 by its own slope in
// [lower, upper] (drawn again each call, the same for the same seed) and passes x > 0 through; the gradient is
// the slope each element got (out / x), twice differentiable.
TEST(rrelu_slopes_and_gradient) {
  const Tensor x = uniform({64, 33}, 40, -1, 1, DType::Float64);
  CHECK_SAME(rrelu(x, 0.1, 0.3), leaky_relu(x, 0.2), 0);
  Generator a(3), b(3);
  Tensor leaf = contiguous(x);
  set_requires_grad(leaf, true);
  const Tensor y = rrelu(leaf, 0.1, 0.3, true, &a);
  CHECK_SAME(detach(y), rrelu(x, 0.1, 0.3, true, &b), 0);
  const std::vector<double> xv = test::values(x), yv = test::values(y);
  double lo = 1, hi = 0, mean = 0;
  int64_t negatives = 0;
  for (size_t i = 0; i < xv.size(); ++i) {
    if (xv[i] > 0) {
      CHECK_EQ(yv[i], xv[i]);
      continue;
    }
    const double slope = yv[i] / xv[i];
    lo = std::min(lo, slope);
    hi = std::max(hi, slope);
    mean += slope;
    ++negatives;
  }
  mean /= static_cast<double>(negatives);
  CHECK(lo >= 0.1 && hi <= 0.3 && hi - lo > 0.19);  // ~1,000 draws cover the range
  CHECK(std::fabs(mean - 0.2) < 0.01);
  const Tensor g = kiln::grad({y}, {leaf}, {ones(x.shape(), DType::Float64)}, false, true)[0];
  CHECK_SAME(g, where(gt(x, zeros({}, DType::Float64)), ones({}, DType::Float64), div(detach(y), x)), 1e-15);
  CHECK(test::values(rrelu(x, 0.1, 0.3, true, &a)) != yv);  // a fresh draw
  CHECK_SAME(rrelu(x, 0.25, 0.25, true), leaky_relu(x, 0.25), 0);
  CHECK_THROWS(rrelu(x, 0.4, 0.3, true), Argument,
               "rrelu: Lower bound should be less than or equal to the upper bound, got lower 0.4 and upper 0.3");
  CHECK_THROWS(rrelu(test::small_ints({3}, 1), 0.1, 0.3, true), DType, "rrelu: not implemented for 'int64'");
}
