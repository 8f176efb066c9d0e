// Elementwise kernels: unary and binary math, comparisons, where, fill, arange. The element functions are those
// of the CPU kernels (cpu/unary.cpp, cpu/binary.cpp), with CUDA's libm for exp, log, tanh and pow.
#include <cstring>
#include <type_traits>

#include "cpu/convert.h"
#include "cpu/dispatch.h"
#include "cuda/kernels.h"
#include "cuda/strided.cuh"

namespace kiln::cuda {
namespace {

__device__ __forceinline__ int64_t int_pow(int64_t base, int64_t exp) {
  if (exp < 0) return base == 1 ? 1 : base == -1 ? (exp % 2 == 0 ? 1 : -1) : 0;  // as PyTorch
  uint64_t result = 1, b = static_cast<uint64_t>(base);  // wraps on overflow without UB
  while (exp > 0) {
    if (exp & 1) result *= b;
    b *= b;
    exp >>= 1;
  }
  return static_cast<int64_t>(result);
}

template <class T, class F>
void map1(const Tensor& out, const Tensor& in, F f) {
  T* o = out.data<T>();
  const T* x = in.data<T>();
  const Tensor* ts[2] = {&out, &in};
  for_each_element(ts, [=] __device__(const int64_t(&off)[2]) { o[off[0]] = f(x[off[1]]); }, "unary");
}

template <class T>
void unary_float(UnaryOp op, const Tensor& out, const Tensor& in, double param) {
  switch (op) {
    case UnaryOp::Neg: return map1<T>(out, in, [] __device__(T x) { return -x; });
    case UnaryOp::Exp: return map1<T>(out, in, [] __device__(T x) { return exp(x); });
    case UnaryOp::Log: return map1<T>(out, in, [] __device__(T x) { return log(x); });
    case UnaryOp::Sqrt: return map1<T>(out, in, [] __device__(T x) { return sqrt(x); });
    case UnaryOp::Abs: return map1<T>(out, in, [] __device__(T x) { return fabs(x); });
    case UnaryOp::Relu: return map1<T>(out, in, [] __device__(T x) { return x < T(0) ? T(0) : x; });  // keeps NaN
    case UnaryOp::Sigmoid: return map1<T>(out, in, [] __device__(T x) { return T(1) / (T(1) + exp(-x)); });
    case UnaryOp::Tanh: return map1<T>(out, in, [] __device__(T x) { return tanh(x); });
    case UnaryOp::PowScalar: {
      const T p = static_cast<T>(param);
      if (param == 2.0) return map1<T>(out, in, [] __device__(T x) { return x * x; });
      if (param == 3.0) return map1<T>(out, in, [] __device__(T x) { return x * x * x; });
      if (param == 1.0) return map1<T>(out, in, [] __device__(T x) { return x; });
      if (param == 0.5) return map1<T>(out, in, [] __device__(T x) { return sqrt(x); });
      if (param == -1.0) return map1<T>(out, in, [] __device__(T x) { return T(1) / x; });
      return map1<T>(out, in, [p] __device__(T x) { return pow(x, p); });
    }
  }
  fail(ErrorKind::Internal, "cuda unary: unknown op");
}

void unary_int(UnaryOp op, const Tensor& out, const Tensor& in, double param) {
  using T = int64_t;
  switch (op) {
    case UnaryOp::Neg: return map1<T>(out, in, [] __device__(T x) { return static_cast<T>(0ULL - static_cast<uint64_t>(x)); });
    case UnaryOp::Abs:
      return map1<T>(out, in, [] __device__(T x) { return x < 0 ? static_cast<T>(0ULL - static_cast<uint64_t>(x)) : x; });
    case UnaryOp::Relu: return map1<T>(out, in, [] __device__(T x) { return x < 0 ? T(0) : x; });
    case UnaryOp::PowScalar: {
      const int64_t e = static_cast<int64_t>(param);
      return map1<T>(out, in, [e] __device__(T x) { return int_pow(x, e); });
    }
    default: break;
  }
  fail(ErrorKind::Internal, "cuda unary: op not defined for int64");
}

template <class T, class R, class F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  R* o = out.data<R>();
  const T* x = a.data<T>();
  const T* y = b.data<T>();
  const Tensor* ts[3] = {&out, &a, &b};
  for_each_element(ts, [=] __device__(const int64_t(&off)[3]) { o[off[0]] = f(x[off[1]], y[off[2]]); }, "binary");
}

template <class T>
void binary_t(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  constexpr bool kBool = std::is_same_v<T, bool>, kInt = std::is_same_v<T, int64_t>;
  switch (op) {
    case BinaryOp::Add:
      if constexpr (kBool) return map2<T, T>(out, a, b, [] __device__(T x, T y) { return static_cast<bool>(x | y); });
      else if constexpr (kInt)
        return map2<T, T>(out, a, b, [] __device__(T x, T y) { return static_cast<T>(static_cast<uint64_t>(x) + static_cast<uint64_t>(y)); });
      else return map2<T, T>(out, a, b, [] __device__(T x, T y) { return x + y; });
    case BinaryOp::Sub:
      if constexpr (kInt)
        return map2<T, T>(out, a, b, [] __device__(T x, T y) { return static_cast<T>(static_cast<uint64_t>(x) - static_cast<uint64_t>(y)); });
      else if constexpr (!kBool) return map2<T, T>(out, a, b, [] __device__(T x, T y) { return x - y; });
      break;
    case BinaryOp::Mul:
      if constexpr (kBool) return map2<T, T>(out, a, b, [] __device__(T x, T y) { return static_cast<bool>(x & y); });
      else if constexpr (kInt)
        return map2<T, T>(out, a, b, [] __device__(T x, T y) { return static_cast<T>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y)); });
      else return map2<T, T>(out, a, b, [] __device__(T x, T y) { return x * y; });
    case BinaryOp::Div:
      if constexpr (!kBool && !kInt) return map2<T, T>(out, a, b, [] __device__(T x, T y) { return x / y; });
      break;
    case BinaryOp::Pow:
      if constexpr (kInt) return map2<T, T>(out, a, b, [] __device__(T x, T y) { return int_pow(x, y); });
      else if constexpr (!kBool) return map2<T, T>(out, a, b, [] __device__(T x, T y) { return pow(x, y); });
      break;
    case BinaryOp::Eq: return map2<T, bool>(out, a, b, [] __device__(T x, T y) { return x == y; });
    case BinaryOp::Ne: return map2<T, bool>(out, a, b, [] __device__(T x, T y) { return x != y; });
    case BinaryOp::Lt: return map2<T, bool>(out, a, b, [] __device__(T x, T y) { return x < y; });
    case BinaryOp::Le: return map2<T, bool>(out, a, b, [] __device__(T x, T y) { return x <= y; });
    case BinaryOp::Gt: return map2<T, bool>(out, a, b, [] __device__(T x, T y) { return x > y; });
    case BinaryOp::Ge: return map2<T, bool>(out, a, b, [] __device__(T x, T y) { return x >= y; });
  }
  fail(ErrorKind::Internal, "cuda binary: op not defined for this dtype");
}

// Moving elements needs only their size: where and fill run on unsigned words of 1, 2, 4 or 8 bytes.
template <class Fn>
void with_word(size_t bytes, Fn&& fn) {
  switch (bytes) {
    case 1: return fn(uint8_t{});
    case 2: return fn(uint16_t{});
    case 4: return fn(uint32_t{});
    case 8: return fn(uint64_t{});
  }
  fail(ErrorKind::Internal, "cuda: no word of ", bytes, " bytes");
}

template <class W>
void where_words(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  W* o = static_cast<W*>(out.raw_data());
  const bool* c = cond.data<bool>();
  const W* x = static_cast<const W*>(a.raw_data());
  const W* y = static_cast<const W*>(b.raw_data());
  const Tensor* ts[4] = {&out, &cond, &a, &b};
  for_each_element(ts, [=] __device__(const int64_t(&off)[4]) { o[off[0]] = c[off[1]] ? x[off[2]] : y[off[3]]; }, "where");
}

template <class W>
void fill_words(const Tensor& dst, W bits) {
  W* o = static_cast<W*>(dst.raw_data());
  const Tensor* ts[1] = {&dst};
  for_each_element(ts, [=] __device__(const int64_t(&off)[1]) { o[off[0]] = bits; }, "fill");
}

template <class T>
void arange_t(const Tensor& out, double start, double step) {
  T* o = out.data<T>();
  const Tensor* ts[1] = {&out};
  if constexpr (std::is_same_v<T, int64_t>) {
    const int64_t s0 = static_cast<int64_t>(start), st = static_cast<int64_t>(step);
    for_each_element(ts, [=] __device__(const int64_t(&off)[1]) { o[off[0]] = s0 + off[0] * st; }, "arange");
  } else if constexpr (!std::is_same_v<T, bool>) {
    for_each_element(
        ts, [=] __device__(const int64_t(&off)[1]) { o[off[0]] = static_cast<T>(start + static_cast<double>(off[0]) * step); },
        "arange");
  } else {
    fail(ErrorKind::Internal, "cuda arange: bool");
  }
}

}  // namespace

void unary(UnaryOp op, const Tensor& out, const Tensor& in, double param) {
  switch (out.dtype()) {
    case DType::Float32: return unary_float<float>(op, out, in, param);
    case DType::Float64: return unary_float<double>(op, out, in, param);
    case DType::Int64: return unary_int(op, out, in, param);
    default: fail(ErrorKind::Internal, "cuda unary: unsupported dtype ", dtype_name(out.dtype()));
  }
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  cpu::dispatch(a.dtype(), [&](auto tag) { binary_t<decltype(tag)>(op, out, a, b); });
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  with_word(out.element_size(), [&](auto tag) { where_words<decltype(tag)>(out, cond, a, b); });
}

void fill(const Tensor& dst, Scalar value) {
  cpu::dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = cpu::scalar_as<T>(value);
    with_word(sizeof(T), [&](auto wtag) {
      decltype(wtag) bits;
      std::memcpy(&bits, &v, sizeof bits);
      fill_words(dst, bits);
    });
  });
}

void arange(const Tensor& out, double start, double step) {
  cpu::dispatch(out.dtype(), [&](auto tag) { arange_t<decltype(tag)>(out, start, step); });
}

}  // namespace kiln::cuda
