// The loops of the elementwise activations: contiguous runs go to KILN_SIMD functions (vectorized for each
// ISA), other runs to a strided loop; the element functions are in activation_fns.h.
#include "cpu/activation.h"

#include "cpu/activation_fns.h"
#include "cpu/dispatch.h"
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

template <class F, class T>
KILN_ALWAYS_INLINE void forward_loop(const F& f, T* out, const T* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = f.fwd(x[i]);
}

// A run of the backward: everything contiguous, or the gradient one broadcast value (the backward of a sum).
template <class F, class T>
KILN_ALWAYS_INLINE void backward_loop(const F& f, T* gx, const T* g, const T* x, int64_t n, bool scalar_grad) {
  if (scalar_grad) {
    const T gv = *g;
    for (int64_t i = 0; i < n; ++i) gx[i] = f.bwd(gv, x[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) gx[i] = f.bwd(g[i], x[i]);
  }
}

// Contiguous runs: a KILN_SIMD pair per activation. One function switching over all of them grows too big
// for GCC, which then leaves some of its loops (gelu's backward) scalar; and target_clones functions cannot
// be templates, hence the macro.
using ForwardRun = void (*)(DType, const ActParams&, void*, const void*, int64_t);
using BackwardRun = void (*)(DType, const ActParams&, void*, const void*, const void*, int64_t, bool);

#define KILN_ACTIVATION_RUNS(name, F)                                                                             \
  KILN_SIMD void name##_forward(DType t, const ActParams& p, void* out, const void* x, int64_t n) {                \
    if (t == DType::Float32)                                                                                      \
      return forward_loop(make_fn<F, float>(p), static_cast<float*>(out), static_cast<const float*>(x), n);      \
    forward_loop(make_fn<F, double>(p), static_cast<double*>(out), static_cast<const double*>(x), n);             \
  }                                                                                                               \
  KILN_SIMD void name##_backward(DType t, const ActParams& p, void* gx, const void* g, const void* x, int64_t n,   \
                                 bool scalar_grad) {                                                              \
    if (t == DType::Float32)                                                                                      \
      return backward_loop(make_fn<F, float>(p), static_cast<float*>(gx), static_cast<const float*>(g),          \
                           static_cast<const float*>(x), n, scalar_grad);                                         \
    backward_loop(make_fn<F, double>(p), static_cast<double*>(gx), static_cast<const double*>(g),                 \
                  static_cast<const double*>(x), n, scalar_grad);                                                 \
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

// Calls body(f) with the element function object of op for element type T (the strided runs).
template <class T, class Body>
void with_act(Act op, const ActParams& p, Body&& body) {
  switch (op) {
    case Act::Softplus: return body(make_fn<act::Softplus, T>(p));
    case Act::GeluErf: return body(make_fn<act::GeluErf, T>(p));
    case Act::GeluTanh: return body(make_fn<act::GeluTanh, T>(p));
    case Act::Silu: return body(make_fn<act::Silu, T>(p));
    case Act::Mish: return body(make_fn<act::Mish, T>(p));
    case Act::LeakyRelu: return body(make_fn<act::LeakyRelu, T>(p));
    case Act::Elu: return body(make_fn<act::Elu, T>(p));
    case Act::Hardtanh: return body(make_fn<act::Hardtanh, T>(p));
    case Act::Hardsigmoid: return body(make_fn<act::Hardsigmoid, T>(p));
    case Act::Hardswish: return body(make_fn<act::Hardswish, T>(p));
    case Act::Softsign: return body(make_fn<act::Softsign, T>(p));
    case Act::LogSigmoid: return body(make_fn<act::LogSigmoid, T>(p));
  }
  fail(ErrorKind::Internal, "activation kernel: unknown activation");
}

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
  StridedLoop<2> loop({&out, &x});
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      loop.run(
          [&](char** ptr, const int64_t* s, int64_t n) {
            if (s[0] == sizeof(T) && s[1] == sizeof(T)) return runs.forward(t, p, ptr[0], ptr[1], n);
            with_act<T>(op, p, [&](const auto& f) {
              for (int64_t i = 0; i < n; ++i)
                *reinterpret_cast<T*>(ptr[0] + i * s[0]) = f.fwd(*reinterpret_cast<const T*>(ptr[1] + i * s[1]));
            });
          },
          runs.costly ? kGrainCostly : kGrainCheap);
    }
  });
}

void activation_backward_kernel(Act op, const ActParams& p, const Tensor& grad_in, const Tensor& grad, const Tensor& x) {
  const DType t = grad_in.dtype();
  KILN_CHECK(is_floating(t) && grad.dtype() == t && x.dtype() == t, Internal,
             "activation backward kernel: expected one floating dtype");
  const Runs& runs = kRuns[static_cast<int>(op)];
  StridedLoop<3> loop({&grad_in, &grad, &x});
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      loop.run(
          [&](char** ptr, const int64_t* s, int64_t n) {
            if (s[0] == sizeof(T) && s[2] == sizeof(T) && (s[1] == sizeof(T) || s[1] == 0))
              return runs.backward(t, p, ptr[0], ptr[1], ptr[2], n, s[1] == 0);
            with_act<T>(op, p, [&](const auto& f) {
              for (int64_t i = 0; i < n; ++i)
                *reinterpret_cast<T*>(ptr[0] + i * s[0]) =
                    f.bwd(*reinterpret_cast<const T*>(ptr[1] + i * s[1]), *reinterpret_cast<const T*>(ptr[2] + i * s[2]));
            });
          },
          runs.costly ? kGrainCostly : kGrainCheap);
    }
  });
}

}  // namespace kiln::cpu
