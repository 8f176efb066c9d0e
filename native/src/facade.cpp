// Implements the facade (kiln/kiln.h): handles, frames and error kinds around the C++ API.
#include "kiln/kiln.h"

#include <cblas.h>

#include <cstring>
#include <new>

#include "cuda_device.h"
#include "facade_support.h"
#include "kiln/allocator.h"
#include "kiln/ops.h"
#include "op_table.h"
#include "ops/pointwise.h"
#include "thread_pool.h"

using namespace kiln;

int32_t& kiln::last_error_kind() {
  thread_local int32_t kind = 0;
  return kind;
}

namespace {

const OpDef& op_at(int32_t op) {
  const auto& table = op_table();
  KILN_CHECK(op >= 0 && static_cast<size_t>(op) < table.size(), Argument, "unknown op id ", op);
  return *table[static_cast<size_t>(op)];
}

Shape to_shape(const int64_t* shape, int32_t ndim) {
  KILN_CHECK(ndim >= 0, Argument, "tensor: negative number of dims ", ndim);
  return Shape(shape, shape + ndim);
}

// Decodes [n, tensors..., n, ints..., n, reals...].
struct Frame {
  TensorList tensors;
  OpArgs args;
};

Frame decode(const int64_t* frame, int32_t length) {
  Frame f;
  int32_t pos = 0;
  auto next_count = [&]() {
    KILN_CHECK(pos < length, Internal, "call: malformed argument frame");
    int64_t n = frame[pos++];
    KILN_CHECK(n >= 0 && n <= length - pos, Internal, "call: malformed argument frame");
    return n;
  };
  for (int64_t i = 0, n = next_count(); i < n; ++i) f.tensors.push_back(tensor(frame[pos++]));
  for (int64_t i = 0, n = next_count(); i < n; ++i) f.args.ints.push_back(frame[pos++]);
  for (int64_t i = 0, n = next_count(); i < n; ++i) {
    double d;
    std::memcpy(&d, &frame[pos++], sizeof d);
    f.args.reals.push_back(d);
  }
  return f;
}

Tensor scalar_tensor(double value, int64_t ivalue, int32_t dtype, bool wrapped) {
  const DType t = dtype_from_code(dtype);
  const Scalar s = is_floating(t) ? Scalar(value) : t == DType::Bool ? Scalar::boolean(ivalue != 0) : Scalar(ivalue);
  return Tensor::scalar(s, t, wrapped);
}

template <class T>
int64_t from_data(const T* data, int64_t count, const int64_t* shape, int32_t ndim, DType t) {
  return guarded([&] { return handle(kiln::from_data(data, count, to_shape(shape, ndim), t)); });
}

template <class T>
void read_data(int64_t h, T* out, int64_t count, DType t) {
  guarded([&] {
    const Tensor& x = tensor(h);
    KILN_CHECK(count == x.numel(), Argument, "read: the buffer holds ", count, " values but the tensor has ", x.numel());
    if (count == 0) return;
    const Tensor src = contiguous(to(on_host(x), t));  // a GPU's tensor is copied to the host first
    std::memcpy(out, src.raw_data(), static_cast<size_t>(count) * sizeof(T));
  });
}

}  // namespace

const char* kiln_version() { return "0.1.0"; }
int32_t kiln_last_error_kind() { return last_error_kind(); }

void kiln_release(int64_t h) { release_handle(h); }
int64_t kiln_retain(int64_t h) { return guarded([&] { return handle(tensor(h)); }); }

int64_t kiln_from_float(const float* d, int64_t n, const int64_t* s, int32_t nd) { return from_data(d, n, s, nd, DType::Float32); }
int64_t kiln_from_double(const double* d, int64_t n, const int64_t* s, int32_t nd) { return from_data(d, n, s, nd, DType::Float64); }
int64_t kiln_from_long(const int64_t* d, int64_t n, const int64_t* s, int32_t nd) { return from_data(d, n, s, nd, DType::Int64); }
int64_t kiln_from_bool(const int8_t* d, int64_t n, const int64_t* s, int32_t nd) { return from_data(d, n, s, nd, DType::Bool); }
int64_t kiln_from_int(const int32_t* d, int64_t n, const int64_t* s, int32_t nd) { return from_data(d, n, s, nd, DType::Int32); }
int64_t kiln_from_short(const int16_t* d, int64_t n, const int64_t* s, int32_t nd, int32_t dtype) {
  return guarded([&] {
    const DType t = dtype_from_code(dtype);
    KILN_CHECK(dtype_size(t) == 2, DType, "tensor: 16-bit data makes int16, float16 or bfloat16 tensors, not ",
               dtype_name(t));
    return handle(kiln::from_data(d, n, to_shape(s, nd), t));
  });
}
int64_t kiln_from_byte(const int8_t* d, int64_t n, const int64_t* s, int32_t nd, int32_t dtype) {
  return guarded([&] {
    const DType t = dtype_from_code(dtype);
    KILN_CHECK(dtype_size(t) == 1, DType, "tensor: 8-bit data makes int8, uint8 or bool tensors, not ", dtype_name(t));
    return handle(kiln::from_data(d, n, to_shape(s, nd), t));
  });
}

int64_t kiln_from_bytes(const int8_t* d, int64_t nbytes, const int64_t* s, int32_t nd, int32_t dtype) {
  return guarded([&] {
    const DType t = dtype_from_code(dtype);
    const int64_t item = static_cast<int64_t>(dtype_size(t));
    KILN_CHECK(nbytes >= 0 && nbytes % item == 0, Argument, "tensor: ", nbytes, " bytes are not a whole number of ",
               dtype_name(t), " elements");
    return handle(kiln::from_data(d, nbytes / item, to_shape(s, nd), t));
  });
}

int64_t kiln_scalar(double value, int64_t ivalue, int32_t dtype, int32_t wrapped) {
  return guarded([&] { return handle(scalar_tensor(value, ivalue, dtype, wrapped != 0)); });
}

int32_t kiln_dim(int64_t h) { return guarded([&] { return static_cast<int32_t>(tensor(h).dim()); }); }
int64_t kiln_numel(int64_t h) { return guarded([&] { return tensor(h).numel(); }); }
int32_t kiln_dtype(int64_t h) { return guarded([&] { return static_cast<int32_t>(tensor(h).dtype()); }); }
int32_t kiln_device_type(int64_t h) { return guarded([&] { return static_cast<int32_t>(tensor(h).device().type); }); }
int32_t kiln_device_index(int64_t h) { return guarded([&] { return tensor(h).device().index; }); }
void kiln_shape(int64_t h, int64_t* out) {
  guarded([&] { std::copy(tensor(h).shape().begin(), tensor(h).shape().end(), out); });
}
void kiln_strides(int64_t h, int64_t* out) {
  guarded([&] { std::copy(tensor(h).strides().begin(), tensor(h).strides().end(), out); });
}
int64_t kiln_storage_offset(int64_t h) { return guarded([&] { return tensor(h).offset(); }); }
int64_t kiln_data_address(int64_t h) { return guarded([&] { return reinterpret_cast<int64_t>(tensor(h).raw_data()); }); }
int32_t kiln_is_contiguous(int64_t h) { return guarded([&] { return static_cast<int32_t>(tensor(h).is_contiguous()); }); }

void kiln_read_float(int64_t h, float* out, int64_t n) { read_data(h, out, n, DType::Float32); }
void kiln_read_double(int64_t h, double* out, int64_t n) { read_data(h, out, n, DType::Float64); }
void kiln_read_long(int64_t h, int64_t* out, int64_t n) { read_data(h, out, n, DType::Int64); }
void kiln_read_bool(int64_t h, int8_t* out, int64_t n) { read_data(h, out, n, DType::Bool); }
void kiln_read_int(int64_t h, int32_t* out, int64_t n) { read_data(h, out, n, DType::Int32); }
void kiln_read_bytes(int64_t h, int8_t* out, int64_t nbytes) {
  guarded([&] {
    const Tensor& x = tensor(h);
    const int64_t size = x.numel() * static_cast<int64_t>(dtype_size(x.dtype()));
    KILN_CHECK(nbytes == size, Argument, "read: the buffer holds ", nbytes, " bytes but the tensor has ", size);
    if (size == 0) return;
    const Tensor src = contiguous(on_host(x));
    std::memcpy(out, src.raw_data(), static_cast<size_t>(size));
  });
}

int32_t kiln_op_count() { return static_cast<int32_t>(op_table().size()); }
const char* kiln_op_name(int32_t op) { return guarded([&] { return op_at(op).name; }); }
const char* kiln_op_signature(int32_t op) { return guarded([&] { return op_at(op).signature; }); }
int32_t kiln_op_id(const char* name) { return guarded([&] { return op_id(name ? name : ""); }); }
int32_t kiln_op_differentiable(int32_t op) {
  return guarded([&] {
    const OpDef& def = op_at(op);
    return static_cast<int32_t>(def.kind == OpKind::Composite || (def.kind == OpKind::Primitive && def.backward));
  });
}

int32_t kiln_call(int32_t op, const int64_t* frame, int32_t length, int64_t* outputs, int32_t max_outputs) {
  return guarded([&] {
    const OpDef& def = op_at(op);
    Frame f = decode(frame, length);
    TensorList result = call(def, f.tensors, f.args);
    KILN_CHECK(static_cast<int32_t>(result.size()) <= max_outputs, Internal, def.name, ": returned ", result.size(),
               " tensors, room for ", max_outputs);
    for (size_t i = 0; i < result.size(); ++i) outputs[i] = handle(std::move(result[i]));
    return static_cast<int32_t>(result.size());
  });
}

int64_t kiln_call1(int32_t op, int64_t a) { return guarded([&] { return handle(call1(op_at(op), {tensor(a)})); }); }
int64_t kiln_call2(int32_t op, int64_t a, int64_t b) {
  return guarded([&] { return handle(call1(op_at(op), {tensor(a), tensor(b)})); });
}
int64_t kiln_call_scalar(int32_t op, int64_t a, double value, int64_t ivalue, int32_t dtype) {
  return guarded([&] { return handle(call1(op_at(op), {tensor(a), scalar_tensor(value, ivalue, dtype, true)})); });
}

void kiln_call_inplace(int32_t op, const int64_t* frame, int32_t length) {
  guarded([&] {
    Frame f = decode(frame, length);
    call_inplace(op_at(op), f.tensors, f.args);
  });
}
void kiln_call_inplace2(int32_t op, int64_t self, int64_t b) {
  guarded([&] { call_inplace(op_at(op), {tensor(self), tensor(b)}); });
}
void kiln_call_inplace_scalar(int32_t op, int64_t self, double value, int64_t ivalue, int32_t dtype) {
  guarded([&] { call_inplace(op_at(op), {tensor(self), scalar_tensor(value, ivalue, dtype, true)}); });
}

void kiln_memory_stats(int64_t* out) {
  const MemoryStats s = CachingAllocator::cpu().stats();
  out[0] = s.live_bytes;
  out[1] = s.cached_bytes;
  out[2] = s.peak_live_bytes;
  out[3] = s.live_blocks;
  out[4] = TensorImpl::live_count();
}
void kiln_empty_cache() { CachingAllocator::cpu().empty_cache(); }

int32_t kiln_cuda_built() { return cuda::built() ? 1 : 0; }
int32_t kiln_cuda_device_count() { return guarded([&] { return static_cast<int32_t>(cuda::device_count()); }); }
void kiln_cuda_synchronize(int32_t device) {
  guarded([&] {
    cuda::check_available({DeviceType::CUDA, device});
    cuda::synchronize(device);
  });
}
void kiln_cuda_memory_stats(int32_t device, int64_t* out) {
  guarded([&] {
    cuda::check_available({DeviceType::CUDA, device});
    const MemoryStats s = cuda::memory_stats(device);
    out[0] = s.live_bytes;
    out[1] = s.cached_bytes;
    out[2] = s.peak_live_bytes;
    out[3] = s.live_blocks;
  });
}
void kiln_cuda_empty_cache(int32_t device) {
  guarded([&] {
    cuda::check_available({DeviceType::CUDA, device});
    cuda::empty_cache(device);
  });
}
int32_t kiln_op_runs_on_cuda(int32_t op) { return guarded([&] { return cuda::runs_on_cuda(op_at(op)) ? 1 : 0; }); }
void kiln_set_cache_limit(int64_t bytes) {
  guarded([&] {
    KILN_CHECK(bytes >= 0, Argument, "set_cache_limit: expected a non-negative number of bytes, got ", bytes);
    CachingAllocator::cpu().set_cache_limit(static_cast<size_t>(bytes));
  });
}

int32_t kiln_get_num_threads() { return get_num_threads(); }
void kiln_set_num_threads(int32_t n) {
  guarded([&] {
    set_num_threads(n);
    openblas_set_num_threads(n);
  });
}
const char* kiln_blas_core() { return openblas_get_corename(); }
void kiln_manual_seed(int64_t seed) { Generator::manual_seed_all(static_cast<uint64_t>(seed)); }
int64_t kiln_generator_new(int64_t seed) {
  return guarded([&] { return reinterpret_cast<int64_t>(new Generator(static_cast<uint64_t>(seed))); });
}
void kiln_generator_release(int64_t g) { delete reinterpret_cast<Generator*>(g); }
void kiln_generator_manual_seed(int64_t g, int64_t seed) {
  guarded([&] {
    KILN_CHECK(g != 0, Argument, "manual_seed: null generator");
    reinterpret_cast<Generator*>(g)->manual_seed(static_cast<uint64_t>(seed));
  });
}
int64_t kiln_generator_seed(int64_t g) {
  return guarded([&] {
    KILN_CHECK(g != 0, Argument, "seed: null generator");
    return static_cast<int64_t>(reinterpret_cast<Generator*>(g)->seed());
  });
}
