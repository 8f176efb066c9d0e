// Storage, TensorImpl and the view primitive as_strided.
#include "kiln/tensor.h"

#include "autograd/autograd_meta.h"
#include "block_cache.h"
#include "cpu/convert.h"
#include "cpu/dispatch.h"
#include "cuda_device.h"
#include "kiln/allocator.h"

namespace kiln {

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  if (!device.is_cpu()) {
    cuda::check_available(device);
    data_ = cuda::allocate(device.index, nbytes, &capacity_);
  } else if (nbytes > 0 && nbytes <= kInlineBytes)
    data_ = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(inline_) + 63) & ~uintptr_t(63));
  else
    data_ = CachingAllocator::cpu().allocate(nbytes, &capacity_);
}

Storage::~Storage() {
  if (!device_.is_cpu())
    cuda::release(device_.index, data_, capacity_);
  else if (!is_inline())
    CachingAllocator::cpu().release(data_, capacity_);
}

namespace {
std::atomic<int64_t> g_live_impls{0};
}

int64_t TensorImpl::live_count() { return g_live_impls.load(std::memory_order_relaxed); }

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage_, int64_t offset_, Shape shape_, Shape strides_, DType dtype_)
    : storage(std::move(storage_)), offset(offset_), shape(std::move(shape_)), strides(std::move(strides_)), dtype(dtype_) {
  g_live_impls.fetch_add(1, std::memory_order_relaxed);
  numel = 1;
  for (int64_t s : shape) numel *= s;
  // Contiguous: row-major strides, ignoring dims of size 1 (their stride never matters).
  contiguous = true;
  int64_t expected = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] == 1) continue;
    if (strides[d] != expected) {
      contiguous = numel == 0;
      break;
    }
    expected *= shape[d];
  }
}

void TensorImpl::set_data(const TensorImpl& src) {
  const bool same_kind = src.shape == shape && src.dtype == dtype;
  storage = src.storage;
  offset = src.offset;
  shape = src.shape;
  strides = src.strides;
  dtype = src.dtype;
  numel = src.numel;
  contiguous = src.contiguous;
  if (!same_kind && autograd) autograd->grad = Tensor();
}

TensorImpl::~TensorImpl() { g_live_impls.fetch_sub(1, std::memory_order_relaxed); }

Tensor Tensor::empty(Shape shape, DType dtype, Device device) {
  const int64_t n = checked_numel(shape, "empty");
  size_t nbytes;
  KILN_CHECK(!__builtin_mul_overflow(static_cast<size_t>(n), dtype_size(dtype), &nbytes), OutOfMemory,
             "empty: ", shape_str(shape), " ", dtype_name(dtype), " elements need more than 2^64 bytes");
  auto storage = std::allocate_shared<Storage>(CachedAllocator<Storage>(), nbytes, device);
  Shape strides = contiguous_strides(shape);
  return Tensor(std::allocate_shared<TensorImpl>(CachedAllocator<TensorImpl>(), std::move(storage), 0, std::move(shape),
                                                 std::move(strides), dtype));
}

Tensor Tensor::scalar(Scalar value, DType dtype, bool wrapped) {
  Tensor t = empty({}, dtype);
  cpu::dispatch_all(dtype, [&](auto tag) { *t.data<decltype(tag)>() = cpu::scalar_as<decltype(tag)>(value); });
  t.impl()->wrapped_number = wrapped;
  return t;
}

int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim(d, dim(), "stride")]; }

Tensor Tensor::as_strided(const Shape& shape, const Shape& strides, int64_t offset) const {
  KILN_CHECK(shape.size() == strides.size(), Internal, "as_strided: ", shape.size(), " sizes but ", strides.size(),
             " strides");
  const int64_t n = checked_numel(shape, "as_strided");
  if (n > 0) {
    int64_t last = offset;
    for (size_t d = 0; d < shape.size(); ++d) {
      KILN_CHECK(strides[d] >= 0, Internal, "as_strided: negative stride ", strides[d]);
      last += (shape[d] - 1) * strides[d];
    }
    const int64_t capacity = static_cast<int64_t>(storage()->nbytes() / element_size());
    KILN_CHECK(offset >= 0 && last < capacity, Internal, "as_strided: view ", shape_str(shape), " with strides ",
               shape_str(strides), " and offset ", offset, " is out of bounds for storage of ", capacity, " elements");
  }
  return Tensor(std::allocate_shared<TensorImpl>(CachedAllocator<TensorImpl>(), storage(), offset, shape, strides, dtype()));
}

bool Tensor::same_layout(const Tensor& o) const {
  return storage() == o.storage() && offset() == o.offset() && shape() == o.shape() && strides() == o.strides() &&
         dtype() == o.dtype();
}

bool Tensor::may_overlap(const Tensor& o) const {
  if (storage() != o.storage() || numel() == 0 || o.numel() == 0) return false;
  auto extent = [](const Tensor& t, int64_t* lo, int64_t* hi) {
    int64_t size = static_cast<int64_t>(t.element_size());
    *lo = t.offset() * size;
    int64_t last = t.offset();
    for (int64_t d = 0; d < t.dim(); ++d) last += (t.shape()[d] - 1) * t.strides()[d];
    *hi = (last + 1) * size;
  };
  int64_t a0, a1, b0, b1;
  extent(*this, &a0, &a1);
  extent(o, &b0, &b1);
  return a0 < b1 && b0 < a1;
}

}  // namespace kiln
