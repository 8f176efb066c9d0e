// Reductions over dims (sum, mean, max, min) and arg reductions along one dim. One block reduces each output
// element when the reduced extent is long, one thread when it is short. Float32 sums accumulate in double, as
// the CPU's do; max and min propagate NaN.
#include <cmath>
#include <limits>
#include <type_traits>

#include "cpu/dispatch.h"
#include "cuda/kernels.h"
#include "cuda/strided.cuh"

namespace kiln::cuda {
namespace {

// The kept dims (with the output's and the input's strides) and the reduced dims (the input's strides).
struct ReducePlan {
  Plan<2> outer;  // over the output's shape: tensor 0 the output, tensor 1 the input
  Plan<1> inner;  // over the reduced dims of the input
  int64_t n_out = 1, n_red = 1;
};

template <class T, ReduceOp Op>
struct Reducer {
  using Acc = std::conditional_t<std::is_same_v<T, float>, double, std::conditional_t<std::is_same_v<T, bool>, int64_t, T>>;
  static constexpr bool kExtreme = Op == ReduceOp::Max || Op == ReduceOp::Min;
  __device__ static Acc init() {
    if constexpr (!kExtreme) return Acc(0);
    else if constexpr (std::is_same_v<T, bool>) return Op == ReduceOp::Max ? 0 : 1;
    else if constexpr (std::is_floating_point_v<T>) return Op == ReduceOp::Max ? -INFINITY : INFINITY;
    else return Op == ReduceOp::Max ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  }
  __device__ static Acc merge(Acc a, Acc b) {
    if constexpr (!kExtreme) {
      if constexpr (std::is_same_v<Acc, int64_t>)
        return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
      else return a + b;
    } else {
      if constexpr (std::is_floating_point_v<Acc>)
        if (a != a || b != b) return a != a ? a : b;  // NaN wins
      return Op == ReduceOp::Max ? (b > a ? b : a) : (b < a ? b : a);
    }
  }
  __device__ static T finish(Acc a, int64_t n) {
    if constexpr (std::is_same_v<T, bool>) return a != 0;
    else if constexpr (Op == ReduceOp::Mean) return static_cast<T>(a / static_cast<Acc>(n));
    else return static_cast<T>(a);
  }
};

template <class T, ReduceOp Op>
__global__ void reduce_block_kernel(ReducePlan p, T* out, const T* in) {
  using R = Reducer<T, Op>;
  using Acc = typename R::Acc;
  __shared__ Acc part[kThreads];
  for (int64_t o = blockIdx.x; o < p.n_out; o += gridDim.x) {
    int64_t oo[2];
    offsets_of(p.outer, o, oo);
    Acc acc = R::init();
    for (int64_t r = threadIdx.x; r < p.n_red; r += blockDim.x) {
      int64_t io[1];
      offsets_of(p.inner, r, io);
      acc = R::merge(acc, static_cast<Acc>(in[oo[1] + io[0]]));
    }
    part[threadIdx.x] = acc;
    __syncthreads();
    for (int w = kThreads / 2; w > 0; w /= 2) {
      if (threadIdx.x < w) part[threadIdx.x] = R::merge(part[threadIdx.x], part[threadIdx.x + w]);
      __syncthreads();
    }
    if (threadIdx.x == 0) out[oo[0]] = R::finish(part[0], p.n_red);
    __syncthreads();
  }
}

template <class T, ReduceOp Op>
__global__ void reduce_thread_kernel(ReducePlan p, T* out, const T* in) {
  using R = Reducer<T, Op>;
  for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < p.n_out;
       o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t oo[2];
    offsets_of(p.outer, o, oo);
    typename R::Acc acc = R::init();
    for (int64_t r = 0; r < p.n_red; ++r) {
      int64_t io[1];
      offsets_of(p.inner, r, io);
      acc = R::merge(acc, static_cast<typename R::Acc>(in[oo[1] + io[0]]));
    }
    out[oo[0]] = R::finish(acc, p.n_red);
  }
}

template <class T, ReduceOp Op>
void reduce_typed(const ReducePlan& p, const Tensor& out, const Tensor& in) {
  const cudaStream_t s = stream(out.device().index);
  if (p.n_red >= 64 || p.n_out < 1024) {
    const unsigned grid = static_cast<unsigned>(p.n_out < 65535 * 8 ? p.n_out : 65535 * 8);
    reduce_block_kernel<T, Op><<<grid, kThreads, 0, s>>>(p, out.data<T>(), in.data<T>());
  } else {
    reduce_thread_kernel<T, Op><<<blocks_for(p.n_out), kThreads, 0, s>>>(p, out.data<T>(), in.data<T>());
  }
  KILN_CUDA_CHECK_LAUNCH("reduce");
}

template <class T>
__global__ void arg_reduce_kernel(Plan<3> p, int64_t n_out, int64_t n, int64_t stride, bool is_max, T* values,
                                  int64_t* indices, const T* in) {
  for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < n_out;
       o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t off[3];
    offsets_of(p, o, off);
    const T* x = in + off[2];
    T best = x[0];
    int64_t at = 0;
    // The first extreme wins; a NaN is the extreme (the first NaN), as on the CPU.
    for (int64_t i = 1; i < n; ++i) {
      if constexpr (std::is_floating_point_v<T>)
        if (best != best) break;
      const T cur = x[i * stride];
      bool better = is_max ? cur > best : cur < best;
      if constexpr (std::is_floating_point_v<T>) better = better || cur != cur;
      if (better) {
        best = cur;
        at = i;
      }
    }
    values[off[0]] = best;
    indices[off[1]] = at;
  }
}

}  // namespace

void reduce(ReduceOp op, const Tensor& out, const Tensor& in) {
  if (in.numel() == 0) {  // identities of empty reductions: sum 0, mean NaN (max/min are refused earlier)
    fill(out, op == ReduceOp::Mean ? Scalar(std::nan("")) : Scalar(int64_t(0)));
    return;
  }
  ReducePlan p;
  // The outer plan walks the output's shape; the input's strides are zeroed on reduced dims there, and the
  // inner plan walks exactly those dims.
  Shape red_shape, red_strides, in_kept_strides(in.strides());
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (out.shape()[d] == 1 && in.shape()[d] != 1) {
      red_shape.push_back(in.shape()[d]);
      red_strides.push_back(in.strides()[d]);
      in_kept_strides[d] = 0;
    }
  }
  const Tensor in_kept = in.as_strided(out.shape(), in_kept_strides, in.offset());
  const Tensor* outer[2] = {&out, &in_kept};
  p.outer = make_plan(outer);
  p.outer.linear = false;  // the input's offsets differ from the output's
  const Tensor red = in.as_strided(red_shape, red_strides, in.offset());
  const Tensor* inner[1] = {&red};
  p.inner = make_plan(inner);
  p.n_out = out.numel();
  p.n_red = red.numel();
  cpu::dispatch(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case ReduceOp::Sum: return reduce_typed<T, ReduceOp::Sum>(p, out, in);
      case ReduceOp::Mean: return reduce_typed<T, ReduceOp::Mean>(p, out, in);
      case ReduceOp::Max: return reduce_typed<T, ReduceOp::Max>(p, out, in);
      case ReduceOp::Min: return reduce_typed<T, ReduceOp::Min>(p, out, in);
    }
  });
}

void arg_reduce(ArgReduceOp op, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {
  const int64_t n_out = values.numel();
  if (n_out == 0) return;
  // Walk the output positions (dim has size 1 there); the input's offsets point at the start of each scan.
  Shape in_strides(in.strides());
  in_strides[dim] = 0;
  const Tensor in_start = in.as_strided(values.shape(), in_strides, in.offset());
  const Tensor* ts[3] = {&values, &indices, &in_start};
  Plan<3> p = make_plan(ts);
  p.linear = false;
  cpu::dispatch(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    arg_reduce_kernel<T><<<blocks_for(n_out), kThreads, 0, stream(in.device().index)>>>(
        p, n_out, in.shape()[dim], in.strides()[dim], op == ArgReduceOp::Max, values.data<T>(),
        indices.data<int64_t>(), in.data<T>());
    KILN_CUDA_CHECK_LAUNCH("arg_reduce");
  });
}

}  // namespace kiln::cuda
