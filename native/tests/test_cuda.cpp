// The CUDA device against the CPU: every op that runs on a GPU gives the CPU's values (and gradients) on strided,
// broadcast and mixed-dtype operands; transfers keep bits; errors are typed. Without a GPU (or without CUDA in the
// build) the cases that need one skip and the error cases check what a user is told instead.
#include <cstdlib>
#include <functional>
#include <map>

#include "cuda_device.h"
#include "fixtures.h"
#include "kiln/autograd.h"
#include "op_table.h"

using namespace kiln;
using test::uniform;

namespace {

const Device kGpu{DeviceType::CUDA, 0};

bool have_gpu() {
  if (cuda::device_count() > 0) return true;
  std::printf("      (no CUDA device: skipped)\n");
  return false;
}

Tensor gpu(const Tensor& t) { return to_device(t, kGpu); }
Tensor cpu_of(const Tensor& t) { return to_device(t, Device::cpu()); }

// f on CPU operands and on the same operands moved to the GPU: same shape, dtype and values (within tol,
// relative; NaN matches NaN).
void same_on_both(const char* what, const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                  double tol = 1e-6) {
  TensorList on_gpu;
  for (const Tensor& t : inputs) on_gpu.push_back(t.dim() == 0 && t.is_wrapped_number() ? t : gpu(t));
  const Tensor want = f(inputs), got = f(on_gpu);
  if (got.device() != kGpu) test::fail_at(__FILE__, __LINE__, std::string(what) + ": result not on the GPU");
  if (got.shape() != want.shape() || got.dtype() != want.dtype())
    test::fail_at(__FILE__, __LINE__, std::string(what) + ": shape or dtype differs: " + shape_str(got.shape()) + " " +
                                          dtype_name(got.dtype()) + " vs " + shape_str(want.shape()) + " " + dtype_name(want.dtype()));
  const std::vector<double> g = test::values(got), w = test::values(want);
  for (size_t i = 0; i < g.size(); ++i)
    if (!test::close(g[i], w[i], tol))
      test::fail_at(__FILE__, __LINE__, cat_str(what, ": element ", i, " is ", g[i], " on the GPU, ", w[i], " on the CPU"));
}

}  // namespace

TEST(without_a_gpu_cuda_tensors_raise_a_device_error) {
  if (cuda::device_count() > 0) return;
  const char* why = cuda::built() ? "no CUDA GPU was found" : "Kiln was built without CUDA";
  CHECK_THROWS(Tensor::empty({2}, DType::Float32, kGpu), Device, why);
  CHECK_THROWS(to_device(test::iota({3}), kGpu), Device, why);
}

TEST(transfers_keep_every_dtype_bit_for_bit) {
  if (!have_gpu()) return;
  for (DType t : {DType::Float32, DType::Float64, DType::Int64, DType::Bool, DType::Int32, DType::Int16, DType::Int8,
                  DType::UInt8, DType::Float16, DType::BFloat16}) {
    const Tensor x = to(mul(uniform({5, 7}, 3, -100, 100, DType::Float64), 1.0), t);
    const Tensor back = cpu_of(gpu(x));
    CHECK(back.device().is_cpu());
    CHECK_EQ(back.dtype(), t);
    CHECK(test::values(back) == test::values(x));
    // A transposed (non-contiguous) tensor crosses as its values, in its shape.
    const Tensor xt = transpose(x, 0, 1);
    CHECK(test::values(cpu_of(gpu(xt))) == test::values(xt));
  }
  CHECK(gpu(test::iota({0, 3})).numel() == 0);
}

TEST(conversions_on_the_device_round_as_the_cpu) {
  if (!have_gpu()) return;
  const Tensor x = mul(uniform({4096}, 11, -70000, 70000, DType::Float64), 1.0);
  for (DType from : {DType::Float64, DType::Float32, DType::Float16, DType::BFloat16, DType::Int64})
    for (DType t : {DType::Float32, DType::Float16, DType::BFloat16, DType::Int8, DType::UInt8, DType::Int32, DType::Bool}) {
      const Tensor src = to(x, from);
      same_on_both("cast", [&](const TensorList& in) { return to(in[0], t); }, {src}, 0);
    }
}

TEST(elementwise_ops_match_the_cpu_on_strided_and_broadcast_operands) {
  if (!have_gpu()) return;
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor a = uniform({6, 5}, 1, 0.1, 2, t), b = uniform({5}, 2, -2, 2, t);
    const Tensor at = transpose(uniform({5, 6}, 3, 0.1, 2, t), 0, 1);  // strided
    for (auto op : std::vector<std::function<Tensor(const TensorList&)>>{
             [](const TensorList& in) { return add(in[0], in[1]); }, [](const TensorList& in) { return sub(in[0], in[1]); },
             [](const TensorList& in) { return mul(in[0], in[1]); }, [](const TensorList& in) { return div(in[0], in[1]); },
             [](const TensorList& in) { return pow(in[0], in[1]); }, [](const TensorList& in) { return gt(in[0], in[1]); },
             [](const TensorList& in) { return where(gt(in[0], in[1]), in[0], in[1]); }})
      for (const Tensor& x : {a, at}) same_on_both("binary", op, {x, b}, 1e-6);
    for (auto op : std::vector<std::function<Tensor(const TensorList&)>>{
             [](const TensorList& in) { return exp(in[0]); }, [](const TensorList& in) { return log(in[0]); },
             [](const TensorList& in) { return sqrt(in[0]); }, [](const TensorList& in) { return neg(in[0]); },
             [](const TensorList& in) { return relu(sub(in[0], 1.0)); }, [](const TensorList& in) { return sigmoid(in[0]); },
             [](const TensorList& in) { return tanh(in[0]); }, [](const TensorList& in) { return pow(in[0], 2.5); },
             [](const TensorList& in) { return abs(sub(in[0], 1.0)); }, [](const TensorList& in) { return mul(in[0], 3.0); }})
      for (const Tensor& x : {a, at}) same_on_both("unary", op, {x}, 1e-6);
  }
  // Integers wrap and promote as on the CPU; mixed dtypes promote before the kernel.
  const Tensor i = test::small_ints({4, 3}, 5), f = uniform({3}, 6, -1, 1, DType::Float64);
  same_on_both("int add", [](const TensorList& in) { return add(in[0], in[0]); }, {i}, 0);
  same_on_both("int pow", [](const TensorList& in) { return pow(in[0], 3); }, {i}, 0);
  same_on_both("int + double", [](const TensorList& in) { return mul(in[0], in[1]); }, {i, f}, 1e-12);
  same_on_both("0-dim CPU operand", [](const TensorList& in) { return add(in[0], test::make({2.5}, {}, DType::Float64)); },
               {f}, 1e-12);
}

TEST(reductions_match_the_cpu) {
  if (!have_gpu()) return;
  const Tensor x = uniform({7, 300, 5}, 9, -3, 3, DType::Float32);
  for (const Dims& dims : std::vector<Dims>{{}, {0}, {1}, {2}, {0, 2}, {1, 2}})
    for (bool keep : {false, true}) {
      same_on_both("sum", [&](const TensorList& in) { return sum(in[0], dims, keep); }, {x}, 1e-6);
      same_on_both("mean", [&](const TensorList& in) { return mean(in[0], dims, keep); }, {x}, 1e-6);
      same_on_both("amax", [&](const TensorList& in) { return amax(in[0], dims, keep); }, {x}, 0);
    }
  for (int64_t d : {0, 1, 2}) same_on_both("argmax", [&](const TensorList& in) { return argmax(in[0], d); }, {x}, 0);
  same_on_both("max", [](const TensorList& in) { return max(in[0]); }, {x}, 0);
  same_on_both("sum of a transposed view", [](const TensorList& in) { return sum(transpose(in[0], 0, 2), {1}); }, {x}, 1e-6);
  // NaN propagates through max and is what argmax picks (the first one), as on the CPU.
  const Tensor n = test::make({1, NAN, 3, NAN, 2, 0}, {2, 3});
  same_on_both("max with NaN", [](const TensorList& in) { return amax(in[0], {1}); }, {n}, 0);
  same_on_both("argmax with NaN", [](const TensorList& in) { return argmax(in[0], 1); }, {n}, 0);
  same_on_both("int64 sum", [](const TensorList& in) { return sum(in[0], {0}); }, {test::small_ints({50, 3}, 2)}, 0);
  same_on_both("empty sum", [](const TensorList& in) { return sum(in[0], {0}); }, {test::iota({0, 3})}, 0);
}

TEST(matmul_matches_the_cpu_for_every_layout) {
  if (!have_gpu()) return;
  for (DType t : {DType::Float32, DType::Float64}) {
    const double tol = t == DType::Float32 ? 2e-5 : 1e-12;
    const Tensor a = uniform({70, 33}, 1, -1, 1, t), b = uniform({33, 129}, 2, -1, 1, t);
    same_on_both("mm", [](const TensorList& in) { return mm(in[0], in[1]); }, {a, b}, tol);
    same_on_both("mm of transposes", [](const TensorList& in) { return mm(transpose(in[1], 0, 1), transpose(in[0], 0, 1)); },
                 {a, b}, tol);
    const Tensor ba = uniform({4, 70, 33}, 3, -1, 1, t), bb = uniform({33, 20}, 4, -1, 1, t);
    same_on_both("batched, broadcast", [](const TensorList& in) { return matmul(in[0], in[1]); }, {ba, bb}, tol);
    same_on_both("strided rows", [](const TensorList& in) { return matmul(slice(in[0], 1, 0, 70, 2), in[1]); }, {ba, bb}, tol);
    same_on_both("vector", [](const TensorList& in) { return matmul(in[0], in[1]); }, {a, uniform({33}, 5, -1, 1, t)}, tol);
    same_on_both("dot", [](const TensorList& in) { return matmul(in[0], in[1]); },
                 {uniform({33}, 6, -1, 1, t), uniform({33}, 7, -1, 1, t)}, tol);
  }
  const Tensor x = uniform({2, 5, 33}, 8, -1, 1), w = uniform({17, 33}, 9, -1, 1), bias = uniform({17}, 10, -1, 1);
  same_on_both("linear", [](const TensorList& in) { return linear(in[0], in[1], in[2]); }, {x, w, bias}, 2e-5);
  same_on_both("addmm", [](const TensorList& in) { return addmm(in[2], in[0], in[1], 0.5, 2.0); },
               {uniform({6, 33}, 11, -1, 1), transpose(w, 0, 1), bias}, 2e-5);
  same_on_both("int64 mm", [](const TensorList& in) { return mm(in[0], in[1]); },
               {test::small_ints({9, 4}, 1), test::small_ints({4, 6}, 2)}, 0);
  same_on_both("empty inner dim", [](const TensorList& in) { return mm(in[0], in[1]); },
               {test::iota({3, 0}), test::iota({0, 4})}, 0);
}

TEST(gather_and_scatter_match_the_cpu_and_check_indices) {
  if (!have_gpu()) return;
  const Tensor x = uniform({5, 8}, 1, -1, 1, DType::Float64);
  const Tensor idx = to(mul(uniform({5, 3}, 2, 0, 7.99, DType::Float64), 1.0), DType::Int64);
  same_on_both("gather", [](const TensorList& in) { return gather(in[0], 1, in[1]); }, {x, idx}, 0);
  const Tensor src = uniform({5, 3}, 3, -1, 1, DType::Float64);
  same_on_both("scatter_add", [](const TensorList& in) { return scatter_add(in[0], 1, in[1], in[2]); }, {x, idx, src}, 1e-12);
  // Distinct indices per row: scatter's result does not depend on the order of the writes.
  const Tensor perm = to(test::make({0, 3, 5, 1, 2, 7, 6, 4, 0, 7, 1, 2, 3, 5, 6}, {5, 3}, DType::Float64), DType::Int64);
  same_on_both("scatter", [](const TensorList& in) { return scatter(in[0], 1, in[1], in[2]); }, {x, perm, src}, 0);
  const Tensor bad = to(test::make({0, 9}, {1, 2}, DType::Float64), DType::Int64);
  CHECK_THROWS(gather(gpu(x), 1, gpu(bad)), Index, "gather: index 9 is out of bounds for dimension 1 with size 8");
}

TEST(autograd_runs_on_the_gpu_and_gradients_match_the_cpu) {
  if (!have_gpu()) return;
  // A two-layer network's loss and gradients, on each device from the same start.
  auto grads_on = [](Device d) {
    Tensor x = to_device(uniform({16, 10}, 1, -1, 1, DType::Float64), d);
    Tensor w1 = to_device(uniform({10, 32}, 2, -0.5, 0.5, DType::Float64), d);
    Tensor w2 = to_device(uniform({32, 4}, 3, -0.5, 0.5, DType::Float64), d);
    set_requires_grad(w1, true);
    set_requires_grad(w2, true);
    Tensor b1 = to_device(uniform({32}, 4, -0.5, 0.5, DType::Float64), d);
    set_requires_grad(b1, true);
    const Tensor h = relu(linear(x, transpose(w1, 0, 1), b1));
    const Tensor loss = mean(mul(tanh(matmul(h, w2)), 2.0));
    backward({loss});
    CHECK(grad(w1).device() == d);
    return TensorList{loss, grad(w1), grad(w2), grad(b1)};
  };
  const TensorList c = grads_on(Device::cpu()), g = grads_on(kGpu);
  for (size_t i = 0; i < c.size(); ++i) {
    const std::vector<double> vg = test::values(g[i]), vc = test::values(c[i]);
    for (size_t j = 0; j < vc.size(); ++j) CHECK(test::close(vg[j], vc[j], 1e-12));
  }
  // A gradient crosses back to a CPU leaf through to_device.
  Tensor leaf = uniform({3}, 4, -1, 1, DType::Float64);
  set_requires_grad(leaf, true);
  backward({sum(mul(gpu(leaf), gpu(leaf)))});
  CHECK(grad(leaf).device().is_cpu());
  CHECK_VALUES(grad(leaf), 1e-15, test::values(mul(leaf, 2.0)));
}

TEST(mixing_devices_and_ops_without_cuda_kernels_raise_device_errors) {
  if (!have_gpu()) return;
  const Tensor a = gpu(test::iota({2, 3})), b = test::iota({2, 3});
  CHECK_THROWS(add(a, b), Device, "expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu");
  CHECK_THROWS(cumsum(a, 1), Device, "cumsum: not implemented for device cuda:0 (no CUDA kernel yet)");
  CHECK_THROWS(to_device(b, Device{DeviceType::CUDA, 63}), Device, "is not available");
  // The failed calls left the device usable.
  CHECK_VALUES(add(a, 1.0), 0, {1, 2, 3, 4, 5, 6});
}

TEST(the_caching_allocator_reuses_device_memory) {
  if (!have_gpu()) return;
  cuda::synchronize(0);
  const MemoryStats before = cuda::memory_stats(0);
  for (int i = 0; i < 100; ++i) {
    const Tensor t = gpu(uniform({1000, 1000}, 1));  // 4 MB each, freed at once
    CHECK(t.numel() == 1000000);
  }
  const MemoryStats after = cuda::memory_stats(0);
  CHECK_EQ(after.live_bytes, before.live_bytes);
  CHECK(after.peak_live_bytes - before.live_bytes < (int64_t(16) << 20));  // never more than a few blocks at once
  cuda::empty_cache(0);
  CHECK_EQ(cuda::memory_stats(0).cached_bytes, int64_t(0));
}

namespace {

// One sample per op that runs on a GPU, over float64 operands (index operands int64).
struct Sample {
  std::function<Tensor(const TensorList&)> f;
  TensorList inputs;
  bool differentiable = true;
};

Tensor ints(const std::vector<double>& v, const Shape& shape) { return to(test::make(v, shape, DType::Float64), DType::Int64); }

const OpDef& op_named(const char* name) { return *op_table()[op_id(name)]; }

// An optimizer step on copies of the parameters and state: every updated tensor, flattened one after another.
Tensor stepped(const char* op, const TensorList& x, const OpArgs& args) {
  TensorList in;
  for (const Tensor& t : x) in.push_back(clone(detach(t)));
  call(op_named(op), in, args);
  int64_t total = 0;
  for (const Tensor& t : in) total += t.numel();
  Tensor all = zeros({total}, in[0].dtype(), in[0].device());
  int64_t at = 0;
  for (const Tensor& t : in) {
    all = slice_scatter(all, flatten(t), 0, at, at + t.numel());
    at += t.numel();
  }
  return all;
}

// Softmax, convolution, pooling, class losses and optimizer steps.
void add_more(std::map<std::string, Sample>& m) {
  const DType f64 = DType::Float64;
  using L = const TensorList&;
  auto add_ = [&](const char* name, std::function<Tensor(L)> f, TensorList in, bool diff = true) { m[name] = {f, in, diff}; };
  const Tensor rows = uniform({5, 7}, 20, -2, 2, f64), cube = uniform({2, 3, 4}, 21, -2, 2, f64);
  add_("softmax", [](L x) { return softmax(x[0], 1); }, {cube});
  add_("log_softmax", [](L x) { return log_softmax(x[0], -1); }, {rows});
  add_("_softmax_backward_data", [](L x) { return softmax_backward_data(x[0], softmax(x[1], 2), 2); }, {cube, cube});
  add_("_log_softmax_backward_data", [](L x) { return log_softmax_backward_data(x[0], log_softmax(x[1], 0), 0); },
       {cube, cube});
  // Convolutions: strided, padded, dilated, grouped; 1-D, 2-D, 3-D and transposed.
  const Tensor img = uniform({2, 4, 7, 6}, 22, -1, 1, f64), w2 = uniform({6, 2, 3, 2}, 23, -1, 1, f64);
  const Tensor bias6 = uniform({6}, 24, -1, 1, f64);
  add_("convolution", [](L x) { return conv2d(x[0], x[1], x[2], {2, 1}, {1, 1}, {1, 2}, 2); }, {img, w2, bias6});
  add_("conv2d", [](L x) { return conv2d(x[0], x[1], x[2], {1, 1}, {1, 0}); },
       {img, uniform({5, 4, 3, 3}, 25, -1, 1, f64), uniform({5}, 26, -1, 1, f64)});
  add_("conv1d", [](L x) { return conv1d(x[0], x[1], Tensor(), {2}, {1}); },
       {uniform({3, 2, 9}, 27, -1, 1, f64), uniform({4, 2, 3}, 28, -1, 1, f64)});
  add_("conv3d", [](L x) { return conv3d(x[0], x[1], x[2], {1, 2, 1}, {0, 1, 1}); },
       {uniform({2, 2, 4, 5, 3}, 29, -1, 1, f64), uniform({3, 2, 2, 3, 2}, 30, -1, 1, f64), uniform({3}, 31, -1, 1, f64)});
  add_("conv_transpose2d", [](L x) { return conv_transpose2d(x[0], x[1], x[2], {2, 2}, {1, 0}, {1, 0}); },
       {img, uniform({4, 3, 3, 2}, 32, -1, 1, f64), uniform({3}, 33, -1, 1, f64)});
  add_("conv_transpose1d", [](L x) { return conv_transpose1d(x[0], x[1], Tensor(), {3}, {0}, {0}, 2); },
       {uniform({2, 4, 5}, 34, -1, 1, f64), uniform({4, 1, 3}, 35, -1, 1, f64)});
  add_("conv_transpose3d", [](L x) { return conv_transpose3d(x[0], x[1]); },
       {uniform({1, 2, 3, 2, 3}, 36, -1, 1, f64), uniform({2, 3, 2, 2, 2}, 37, -1, 1, f64)});
  add_("convolution_backward_weight",
       [](L x) { return call1(op_named("convolution_backward_weight"), {x[0], x[1]},
                              OpArgs{{2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 3, 3}, {}}); },
       {img, uniform({2, 6, 5, 4}, 38, -1, 1, f64)}, false);
  // Pooling: overlapping, padded, dilated and ceil-mode windows.
  const Tensor planes = uniform({2, 3, 7, 6}, 39, -2, 2, f64);
  add_("max_pool2d_with_indices", [](L x) { return max_pool2d_with_indices(x[0], {3, 2}, {2, 1}, {1, 1}, {1, 2}, true).first; },
       {planes});
  add_("max_pool2d", [](L x) { return max_pool2d(x[0], {2, 2}); }, {planes});
  add_("max_pool2d_with_indices_backward", [](L x) {
    const auto [v, i] = max_pool2d_with_indices(x[0], {3, 3}, {1, 1});
    return call1(op_named("max_pool2d_with_indices_backward"), {mul(v, 1.5), i}, OpArgs{{7, 6}, {}});
  }, {planes});
  add_("avg_pool2d", [](L x) { return avg_pool2d(x[0], {3, 3}, {2, 2}, {1, 1}, true, false); }, {planes});
  add_("avg_pool2d_backward", [](L x) { return avg_pool2d(x[0], {2, 3}, {1, 2}, {1, 1}, false, true, 5); }, {planes});
  add_("adaptive_avg_pool2d", [](L x) { return adaptive_avg_pool2d(x[0], {3, 4}); }, {planes});
  add_("adaptive_avg_pool2d_backward", [](L x) { return adaptive_avg_pool2d(x[0], {5, 5}); }, {planes});
  add_("adaptive_max_pool2d", [](L x) { return adaptive_max_pool2d(x[0], {4, 3}).first; }, {planes});
  add_("max_pool1d", [](L x) { return max_pool1d(x[0], 3, 2, 1); }, {cube});
  add_("avg_pool1d", [](L x) { return avg_pool1d(x[0], 2); }, {cube});
  add_("adaptive_avg_pool1d", [](L x) { return adaptive_avg_pool1d(x[0], 3); }, {cube});
  // Class losses: index targets with weights, ignore_index and smoothing; probability targets; 3-D inputs.
  const Tensor logits = uniform({6, 5}, 40, -3, 3, f64), target = ints({0, 4, 2, 1, 4, 3}, {6});
  const Tensor weight = uniform({5}, 41, 0.5, 2, f64);
  add_("cross_entropy", [](L x) { return cross_entropy(x[0], x[1], detach(x[2]), Reduction::Mean, 4, 0.1); },
       {logits, target, weight});
  add_("cross_entropy_backward", [](L x) {
    return add(cross_entropy(x[0], x[1], Tensor(), Reduction::Sum), cross_entropy(x[2], x[3], Tensor(), Reduction::Mean, -100, 0.2));
  }, {logits, softmax(uniform({6, 5}, 42, -1, 1, f64), 1), cube, ints({0, 2, 1, 2, 2, 0, 1, 2}, {2, 4})});
  add_("nll_loss", [](L x) { return nll_loss(log_softmax(x[0], 1), x[1], detach(x[2]), Reduction::None, 2); },
       {logits, target, weight});
  add_("nll_loss_backward", [](L x) { return nll_loss(x[0], x[1], Tensor(), Reduction::Mean); },
       {cube, ints({0, 2, 1, 2, 2, 0, 1, 2}, {2, 4})});
  // Optimizer steps on two parameters (values only: steps are not differentiable).
  const Tensor p1 = uniform({3, 4}, 43, -1, 1, f64), p2 = uniform({5}, 44, -1, 1, f64);
  const Tensor g1 = uniform({3, 4}, 45, -1, 1, f64), g2 = uniform({5}, 46, -1, 1, f64);
  const Tensor b1 = uniform({3, 4}, 47, -1, 1, f64), b2 = uniform({5}, 48, -1, 1, f64);
  add_("sgd_step", [](L x) {
    return stepped("sgd_step", {x[0], x[1], x[2], x[3], x[4], x[5]}, OpArgs{{2, 1, 0, 0, 1}, {0.1, 0.9, 0.0, 0.01}});
  }, {p1, p2, g1, g2, b1, b2}, false);
  add_("adam_step", [](L x) {
    return stepped("adam_step", {x[0], x[1], x[2], x[3], x[4], x[5], mul(x[4], x[4]), mul(x[5], x[5]), x[4], x[5]},
                   OpArgs{{2, 1, 0, 1}, {1e-2, 0.9, 0.999, 1e-8, 0.1, 0.05, 0.04, 0.3, 0.2}});
  }, {p1, p2, g1, g2, b1, b2}, false);
}

std::map<std::string, Sample> samples() {
  const DType f64 = DType::Float64;
  const Tensor a = uniform({3, 4}, 1, 0.2, 2, f64), b = uniform({3, 4}, 2, 0.2, 2, f64), v = uniform({4}, 3, -1, 1, f64);
  const Tensor m = uniform({4, 5}, 4, -1, 1, f64), c = uniform({2, 3, 4}, 5, -1, 1, f64), d = uniform({2, 4, 5}, 6, -1, 1, f64);
  const Tensor idx = ints({0, 3, 1, 2, 2, 0}, {3, 2}), s = uniform({3, 2}, 7, -1, 1, f64);
  using L = const TensorList&;
  std::map<std::string, Sample> m_;
  auto add_ = [&](const char* name, std::function<Tensor(L)> f, TensorList in, bool diff = true) { m_[name] = {f, in, diff}; };
  add_("add", [](L x) { return add(x[0], x[1]); }, {a, b});
  add_("sub", [](L x) { return sub(x[0], x[1]); }, {a, b});
  add_("mul", [](L x) { return mul(x[0], x[1]); }, {a, v});
  add_("div", [](L x) { return div(x[0], x[1]); }, {a, b});
  add_("pow", [](L x) { return pow(x[0], x[1]); }, {a, b});
  for (const char* cmp : {"eq", "ne", "lt", "le", "gt", "ge"}) {
    const std::string n = cmp;
    add_(cmp, [n](L x) {
      return n == "eq" ? eq(x[0], x[1]) : n == "ne" ? ne(x[0], x[1]) : n == "lt" ? lt(x[0], x[1])
           : n == "le" ? le(x[0], x[1]) : n == "gt" ? gt(x[0], x[1]) : ge(x[0], x[1]);
    }, {a, b}, false);
  }
  add_("neg", [](L x) { return neg(x[0]); }, {a});
  add_("exp", [](L x) { return exp(x[0]); }, {a});
  add_("log", [](L x) { return log(x[0]); }, {a});
  add_("sqrt", [](L x) { return sqrt(x[0]); }, {a});
  add_("abs", [](L x) { return abs(sub(x[0], 1.0)); }, {a});
  add_("relu", [](L x) { return relu(sub(x[0], 1.0)); }, {a});
  add_("sigmoid", [](L x) { return sigmoid(x[0]); }, {a});
  add_("tanh", [](L x) { return tanh(x[0]); }, {a});
  add_("where", [](L x) { return where(gt(x[0], x[1]), x[0], x[1]); }, {a, b});
  add_("threshold_backward", [](L x) { return threshold_backward(x[0], sub(x[1], 1.0), 0.0); }, {a, b});
  add_("sigmoid_backward", [](L x) { return sigmoid_backward(x[0], x[1]); }, {a, b});
  add_("tanh_backward", [](L x) { return tanh_backward(x[0], x[1]); }, {a, b});
  add_("sum", [](L x) { return sum(x[0], {1}); }, {c});
  add_("mean", [](L x) { return mean(x[0], {0, 2}, true); }, {c});
  add_("max", [](L x) { return max(x[0]); }, {c});
  add_("min", [](L x) { return min(x[0]); }, {c});
  add_("max_dim", [](L x) { return max(x[0], 1).first; }, {c});
  add_("min_dim", [](L x) { return min(x[0], 2, true).first; }, {c});
  add_("amax", [](L x) { return amax(x[0], {0}); }, {c});
  add_("amin", [](L x) { return amin(x[0], {1, 2}); }, {c});
  add_("argmax", [](L x) { return argmax(x[0], 2); }, {c}, false);
  add_("argmin", [](L x) { return argmin(x[0]); }, {c}, false);
  add_("view", [](L x) { return view(x[0], {4, 6}); }, {c});
  add_("reshape", [](L x) { return reshape(transpose(x[0], 0, 2), {24}); }, {c});
  add_("transpose", [](L x) { return mul(transpose(x[0], 0, 1), 2.0); }, {c});
  add_("t", [](L x) { return mul(t(x[0]), 2.0); }, {a});
  add_("permute", [](L x) { return mul(permute(x[0], {2, 0, 1}), 2.0); }, {c});
  add_("slice", [](L x) { return mul(slice(x[0], 2, 0, 4, 2), 2.0); }, {c});
  add_("narrow", [](L x) { return mul(narrow(x[0], 1, 1, 2), 2.0); }, {c});
  add_("expand", [](L x) { return mul(expand(x[0], {3, 4}), 2.0); }, {v});
  add_("squeeze", [](L x) { return mul(squeeze(unsqueeze(x[0], 1)), 2.0); }, {a});
  add_("unsqueeze", [](L x) { return mul(unsqueeze(x[0], 0), 2.0); }, {a});
  add_("flatten", [](L x) { return mul(flatten(x[0], 1), 2.0); }, {c});
  add_("contiguous", [](L x) { return contiguous(transpose(x[0], 0, 1)); }, {a});
  add_("_to_copy", [](L x) { return to(x[0], DType::Float32); }, {a});
  add_("to", [](L x) { return to(x[0], DType::Float64); }, {a});
  add_("clone", [](L x) { return clone(x[0]); }, {a});
  add_("copy_", [](L x) { Tensor y = mul(x[0], 1.0); copy_(y, x[1]); return y; }, {a, v});
  add_("fill_", [](L x) { Tensor y = mul(x[0], 1.0); fill_(y, 2.5); return y; }, {a});
  add_("zero_", [](L x) { Tensor y = mul(x[0], 1.0); zero_(y); return add(y, x[0]); }, {a});
  add_("to_device", [](L x) { return to_device(to_device(x[0], Device::cpu()), x[0].device()); }, {a});
  add_("mm", [](L x) { return mm(x[0], x[1]); }, {a, m});
  add_("bmm", [](L x) { return bmm(x[0], x[1]); }, {c, d});
  add_("matmul", [](L x) { return matmul(x[0], x[1]); }, {c, m});
  add_("mv", [](L x) { return mv(x[0], x[1]); }, {a, v});
  add_("dot", [](L x) { return dot(x[0], x[1]); }, {v, v});
  add_("outer", [](L x) { return outer(x[0], x[1]); }, {v, v});
  add_("addmm", [](L x) { return addmm(x[0], x[1], x[2], 0.5, 2.0); }, {uniform({3, 5}, 8, -1, 1, f64), a, m});
  add_("addmv", [](L x) { return addmv(x[0], x[1], x[2], 0.5, 2.0); }, {uniform({3}, 9, -1, 1, f64), a, v});
  add_("baddbmm", [](L x) { return baddbmm(x[0], x[1], x[2], 0.5, 2.0); }, {uniform({2, 3, 5}, 10, -1, 1, f64), c, d});
  add_("linear", [](L x) { return linear(x[0], x[1], x[2]); }, {c, t(m), uniform({5}, 11, -1, 1, f64)});
  add_("gather", [](L x) { return gather(x[0], 1, x[1]); }, {a, idx});
  add_("scatter", [](L x) { return scatter(x[0], 1, x[1], x[2]); }, {a, ints({0, 3, 1, 2, 2, 0}, {3, 2}), s});
  add_("slice_scatter", [](L x) { return slice_scatter(x[0], x[1], 1, 0, 4, 2); }, {a, s});
  add_("scatter_add", [](L x) { return scatter_add(x[0], 1, x[1], x[2]); }, {a, ints({0, 0, 1, 1, 2, 2}, {3, 2}), s});
  add_more(m_);
  return m_;
}

}  // namespace

TEST(every_op_that_runs_on_cuda_matches_the_cpu_with_its_gradients) {
  const std::map<std::string, Sample> all = samples();
  for (const OpDef* op : op_table()) {
    if (!cuda::built() || !cuda::runs_on_cuda(*op)) continue;
    if (all.count(op->name) == 0) test::fail_at(__FILE__, __LINE__, cat_str(op->name, " runs on CUDA but has no sample here"));
  }
  const bool gpu = have_gpu();
  for (const auto& [name, sample] : all) {
    if (cuda::built()) CHECK(cuda::runs_on_cuda(*op_table()[op_id(name)]));
    if (gpu) std::printf("      %s\n", name.c_str());
    // Values and, for the differentiable ones, the gradient of sum(out^2) for every floating input.
    auto run = [&](Device dev) {
      TensorList in;
      for (const Tensor& t : sample.inputs) {
        Tensor x = to_device(detach(t), dev);  // a leaf of its own on each device (the samples share operands)
        if (sample.differentiable && is_floating(x.dtype())) set_requires_grad(x, true);
        in.push_back(x);
      }
      TensorList out{sample.f(in)};
      if (sample.differentiable) {
        backward({sum(mul(out[0], out[0]))});
        for (const Tensor& x : in)
          if (is_floating(x.dtype())) out.push_back(grad(x).defined() ? grad(x) : zeros(x.shape(), x.dtype(), dev));
      }
      return out;
    };
    const TensorList want = run(Device::cpu());  // without a GPU, the samples still run (and so cannot rot)
    if (!gpu) continue;
    const TensorList got = run(kGpu);
    for (size_t i = 0; i < want.size(); ++i) {
      CHECK(got[i].device() == kGpu);
      const std::vector<double> g = test::values(got[i]), w = test::values(want[i]);
      const double tol = got[0].dtype() == DType::Float32 ? 1e-6 : 1e-12;
      if (g.size() != w.size()) test::fail_at(__FILE__, __LINE__, name + ": sizes differ");
      for (size_t j = 0; j < g.size(); ++j)
        if (!test::close(g[j], w[j], tol))
          test::fail_at(__FILE__, __LINE__, cat_str(name, i == 0 ? " value " : " gradient ", j, ": ", g[j], " vs ", w[j]));
    }
  }
}
