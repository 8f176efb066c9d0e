// The loops of the elementwise activations: every run, contiguous or strided, goes to a KILN_SIMD function
// (compiled for each ISA; contiguous runs vectorized); the element functions are in activation_fns.h. float32 gelu
// on contiguous runs takes the AVX-512 loops of gelu_avx512.h where the CPU has it; float16 and bfloat16 run in
// float32 chunks (float32_chunks.h).
#include "cpu/activation.h"

#include "cpu/activation_fns.h"
#include "cpu/float32_chunks.h"
#include "cpu/gelu_avx512.h"
#include "cpu/loop.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

// The element function object of an activation for element type T, with its parameters in T.
template <template <class> class F, class T>
KILN_ALWAYS_INLINE F<T> make_fn(const ActParams& p) {
  if constexpr (std::is_same_v<F<T>, act::Softplus<T>> || std::is_same_v<F<T>, act::Hardtanh<T>>)
    return {static_cast<T>(p.a), static_cast<T>(p.b)};
  else if constexpr (std::is_same_v<F<T>, act::LeakyRelu<T>>) return {static_cast<T>(p.a)};
  else if constexpr (std::is_same_v<F<T>, act::Elu<T>>)  // negcoef = alpha * scale, rounded as PyTorch does
    return {static_cast<T>(p.a) * static_cast<T>(p.b), static_cast<T>(p.b), static_cast<T>(p.c)};
  else return {};
}

// A run of the forward; strides in bytes. The contiguous case is its own loop, which the compiler vectorizes.
template <class F, class T>
KILN_ALWAYS_INLINE void forward_loop(const F& f, char* out, const char* x, int64_t n, int64_t so, int64_t sx) {
  if (so == sizeof(T) && sx == sizeof(T)) {
    T* o = reinterpret_cast<T*>(out);
    const T* xs = reinterpret_cast<const T*>(x);
    for (int64_t i = 0; i < n; ++i) o[i] = f.fwd(xs[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<T*>(out + i * so) = f.fwd(*reinterpret_cast<const T*>(x + i * sx));
}

// A run of the backward. Its fast cases: everything contiguous, or the gradient one broadcast value (the
// backward of a sum) with the rest contiguous.
template <class F, class T>
KILN_ALWAYS_INLINE void backward_loop(const F& f, char* gx, const char* g, const char* x, int64_t n,
                                      const int64_t* s) {
  T* o = reinterpret_cast<T*>(gx);
  const T* gs = reinterpret_cast<const T*>(g);
  const T* xs = reinterpret_cast<const T*>(x);
  if (s[0] == sizeof(T) && s[2] == sizeof(T) && s[1] == 0) {
    const T gv = *gs;
    for (int64_t i = 0; i < n; ++i) o[i] = f.bwd(gv, xs[i]);
  } else if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
    for (int64_t i = 0; i < n; ++i) o[i] = f.bwd(gs[i], xs[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<T*>(gx + i * s[0]) =
          f.bwd(*reinterpret_cast<const T*>(g + i * s[1]), *reinterpret_cast<const T*>(x + i * s[2]));
  }
}

// Every run, contiguous or strided, goes through a KILN_SIMD pair per activation, so that each is compiled
// for each ISA (the fused multiply-adds of gelu stay instructions, not libm calls). One function switching
// over all activations grows too big for GCC, which then leaves some of its loops (gelu's backward) scalar;
// and target_clones functions cannot be templates, hence the macro.
using ForwardRun = void (*)(DType, const ActParams&, char*, const char*, int64_t, const int64_t*);
using BackwardRun = void (*)(DType, const ActParams&, char*, const char*, const char*, int64_t, const int64_t*);

#define KILN_ACTIVATION_RUNS(name, F)                                                                             \
  KILN_SIMD void name##_forward(DType t, const ActParams& p, char* out, const char* x, int64_t n,                 \
                                const int64_t* s) {                                                               \
    if (t == DType::Float32) return forward_loop<F<float>, float>(make_fn<F, float>(p), out, x, n, s[0], s[1]);   \
    forward_loop<F<double>, double>(make_fn<F, double>(p), out, x, n, s[0], s[1]);                                \
  }                                                                                                               \
  KILN_SIMD void name##_backward(DType t, const ActParams& p, char* gx, const char* g, const char* x, int64_t n,   \
                                 const int64_t* s) {                                                              \
    if (t == DType::Float32) return backward_loop<F<float>, float>(make_fn<F, float>(p), gx, g, x, n, s);         \
    backward_loop<F<double>, double>(make_fn<F, double>(p), gx, g, x, n, s);                                      \
  }

KILN_ACTIVATION_RUNS(softplus, act::Softplus)
KILN_ACTIVATION_RUNS(gelu_erf, act::GeluErf)
KILN_ACTIVATION_RUNS(gelu_tanh, act::GeluTanh)
KILN_ACTIVATION_RUNS(silu, act::Silu)
KILN_ACTIVATION_RUNS(mish, act::Mish)
KILN_ACTIVATION_RUNS(leaky_relu, act::LeakyRelu)
KILN_ACTIVATION_RUNS(elu, act::Elu)
KILN_ACTIVATION_RUNS(hardtanh, act::Hardtanh)
KILN_ACTIVATION_RUNS(hardsigmoid, act::Hardsigmoid)
KILN_ACTIVATION_RUNS(hardswish, act::Hardswish)
KILN_ACTIVATION_RUNS(softsign, act::Softsign)
KILN_ACTIVATION_RUNS(log_sigmoid, act::LogSigmoid)
#undef KILN_ACTIVATION_RUNS

struct Runs {
  ForwardRun forward;
  BackwardRun backward;
  bool costly;  // transcendental: worth threads at smaller sizes
};

// Indexed by Act.
const Runs kRuns[] = {
    {softplus_forward, softplus_backward, true},          {gelu_erf_forward, gelu_erf_backward, true},
    {gelu_tanh_forward, gelu_tanh_backward, true},        {silu_forward, silu_backward, true},
    {mish_forward, mish_backward, true},                  {leaky_relu_forward, leaky_relu_backward, false},
    {elu_forward, elu_backward, true},                    {hardtanh_forward, hardtanh_backward, false},
    {hardsigmoid_forward, hardsigmoid_backward, false},   {hardswish_forward, hardswish_backward, false},
    {softsign_forward, softsign_backward, false},         {log_sigmoid_forward, log_sigmoid_backward, true},
};

// Hardtanh is the one activation PyTorch defines on integers (a clamp, bounds truncated toward zero).
void hardtanh_int64(const ActParams& p, const Tensor& out, const Tensor& x) {
  const auto f = make_fn<act::Hardtanh, int64_t>(p);
  StridedLoop<2>({&out, &x}).run(
      [&](char** ptr, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<int64_t*>(ptr[0] + i * s[0]) = f.fwd(*reinterpret_cast<const int64_t*>(ptr[1] + i * s[1]));
      },
      kGrainCheap);
}

}  // namespace

void activation_kernel(Act op, const ActParams& p, const Tensor& out, const Tensor& x) {
  const DType t = out.dtype();
  if (t == DType::Int64 && op == Act::Hardtanh) return hardtanh_int64(p, out, x);
  KILN_CHECK(is_floating(t) && x.dtype() == t, Internal, "activation kernel: expected one floating dtype");
  const Runs& runs = kRuns[static_cast<int>(op)];
  const int64_t grain = runs.costly ? kGrainCostly : kGrainCheap;
  if (is_16bit_float(t))  // in float32 chunks (float32_chunks.h)
    return unary_in_float32(out, x, grain, [&](float* o, const float* xs, int64_t m) {
      static constexpr int64_t dense[2] = {4, 4};
      if (op == Act::GeluErf && gelu_forward_avx512(o, xs, m)) return;
      runs.forward(DType::Float32, p, reinterpret_cast<char*>(o), reinterpret_cast<const char*>(xs), m, dense);
    });
  const bool gelu_f32 = op == Act::GeluErf && t == DType::Float32;
  StridedLoop<2>({&out, &x})
      .run_write_only(
          [&](char** ptr, const int64_t* s, int64_t n) {
            const auto f32 = [&](int k) { return reinterpret_cast<float*>(ptr[k]); };
            if (gelu_f32 && s[0] == 4 && s[1] == 4 && gelu_forward_avx512(f32(0), f32(1), n)) return;
            runs.forward(t, p, ptr[0], ptr[1], n, s);
          },
          grain);
}

void activation_backward_kernel(Act op, const ActParams& p, const Tensor& grad_in, const Tensor& grad, const Tensor& x) {
  const DType t = grad_in.dtype();
  KILN_CHECK(is_floating(t) && grad.dtype() == t && x.dtype() == t, Internal,
             "activation backward kernel: expected one floating dtype");
  const Runs& runs = kRuns[static_cast<int>(op)];
  const int64_t grain = runs.costly ? kGrainCostly : kGrainCheap;
  if (is_16bit_float(t))
    return binary_in_float32(grad_in, grad, x, DType::Float32, grain,
                             [&](void* o, const float* g, const float* xs, bool g_scalar, bool x_scalar, int64_t m) {
                               const int64_t s[3] = {4, g_scalar ? 0 : 4, x_scalar ? 0 : 4};
                               runs.backward(DType::Float32, p, static_cast<char*>(o), reinterpret_cast<const char*>(g),
                                             reinterpret_cast<const char*>(xs), m, s);
                             });
  const bool gelu_f32 = op == Act::GeluErf && t == DType::Float32;
  StridedLoop<3>({&grad_in, &grad, &x})
      .run_write_only(
          [&](char** ptr, const int64_t* s, int64_t n) {
            const auto f32 = [&](int k) { return reinterpret_cast<float*>(ptr[k]); };
            if (gelu_f32 && s[0] == 4 && s[1] == 4 && s[2] == 4 && gelu_backward_avx512(f32(0), f32(1), f32(2), n)) return;
            runs.backward(t, p, ptr[0], ptr[1], ptr[2], n, s);
          },
          grain);
}

}  // namespace kiln::cpu

namespace kiln::cpu {
namespace {

// A run of a backward that reads (grad, x) and writes grad_in = f(grad, x); strides in bytes. The gradient is
// loaded before f, so that threshold_backward's select is a compare and a blend (a load under the condition
// would keep it scalar).
template <class T, class F>
KILN_ALWAYS_INLINE void grad_loop(char* out, const char* g, const char* x, int64_t n, const int64_t* s, F f) {
  if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
    T* __restrict o = reinterpret_cast<T*>(out);
    const T* __restrict gs = reinterpret_cast<const T*>(g);
    const T* __restrict xs = reinterpret_cast<const T*>(x);
    for (int64_t i = 0; i < n; ++i) o[i] = f(gs[i], xs[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<T*>(out + i * s[0]) =
        f(*reinterpret_cast<const T*>(g + i * s[1]), *reinterpret_cast<const T*>(x + i * s[2]));
}

template <class T>
KILN_ALWAYS_INLINE void threshold_backward_loop(char** p, const int64_t* s, int64_t n, T threshold) {
  grad_loop<T>(p[0], p[1], p[2], n, s, [threshold](T g, T x) { return x <= threshold ? T(0) : g; });
}

KILN_SIMD void threshold_backward_run(bool is_float, char** p, const int64_t* s, int64_t n, double threshold) {
  if (is_float) threshold_backward_loop<float>(p, s, n, static_cast<float>(threshold));
  else threshold_backward_loop<double>(p, s, n, threshold);
}

// PyTorch's order of operations: (g (1 - y)) y and g (1 - y y).
template <class T>
KILN_ALWAYS_INLINE void output_backward_loop(OutputGrad op, char** p, const int64_t* s, int64_t n) {
  if (op == OutputGrad::Sigmoid) grad_loop<T>(p[0], p[1], p[2], n, s, [](T g, T y) { return g * (T(1) - y) * y; });
  else grad_loop<T>(p[0], p[1], p[2], n, s, [](T g, T y) { return g * (T(1) - y * y); });
}

KILN_SIMD void output_backward_run(OutputGrad op, bool is_float, char** p, const int64_t* s, int64_t n) {
  if (is_float) output_backward_loop<float>(op, p, s, n);
  else output_backward_loop<double>(op, p, s, n);
}

}  // namespace

void threshold_backward_kernel(const Tensor& out, const Tensor& grad, const Tensor& x, double threshold) {
  KILN_CHECK(out.dtype() == DType::Float32 || out.dtype() == DType::Float64, Internal,
             "threshold_backward_kernel: float32 or float64 only");
  StridedLoop<3> loop({&out, &grad, &x});
  const bool is_float = out.dtype() == DType::Float32;
  loop.run_write_only(
      [&](char** p, const int64_t* s, int64_t n) { threshold_backward_run(is_float, p, s, n, threshold); },
      kGrainCheap);
}

void output_backward_kernel(OutputGrad op, const Tensor& out, const Tensor& grad, const Tensor& y) {
  KILN_CHECK(out.dtype() == DType::Float32 || out.dtype() == DType::Float64, Internal,
             "output_backward_kernel: float32 or float64 only");
  StridedLoop<3> loop({&out, &grad, &y});
  const bool is_float = out.dtype() == DType::Float32;
  loop.run_write_only([&](char** p, const int64_t* s, int64_t n) { output_backward_run(op, is_float, p, s, n); },
                      kGrainCheap);
}

}  // namespace kiln::cpu
