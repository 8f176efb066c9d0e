// The strided tensor: storage + offset + shape + strides + dtype + device. Views share storage.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "kiln/device.h"
#include "kiln/dtype.h"
#include "kiln/error.h"
#include "kiln/scalar.h"
#include "kiln/shape.h"

namespace kiln {

struct AutogradMeta;  // kiln/autograd.h

// A reference-counted buffer. Its version counter is shared by every view of it: in-place writes
// bump it, and autograd compares it with the version a saved tensor had. Up to kInlineBytes of data live in
// the Storage itself (scalars, 1-element tensors: no trip through the caching allocator and its lock).
class Storage {
 public:
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  static constexpr size_t kInlineBytes = 64;
  bool is_inline() const {
    return data_ >= static_cast<const void*>(inline_) && data_ < static_cast<const void*>(inline_ + sizeof(inline_));
  }

  void* data_ = nullptr;
  size_t nbytes_ = 0;
  size_t capacity_ = 0;
  Device device_;
  std::atomic<uint32_t> version_{0};
  // 64-byte aligned data, as the allocator's blocks, from malloc's 16: an alignas(64) member would send every
  // Storage through memalign, which made tiny ops 10% slower instead of faster.
  alignas(16) unsigned char inline_[kInlineBytes + 48];
};

struct TensorImpl {
  TensorImpl(std::shared_ptr<Storage> storage, int64_t offset, Shape shape, Shape strides, DType dtype);
  ~TensorImpl();
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

  // How many TensorImpls exist: the Java side weighs it in when it decides to collect garbage.
  static int64_t live_count();

  // Takes src's memory and layout (PyTorch's `t.data = src`), keeping this tensor's identity and autograd
  // flags. A gradient of another shape or dtype no longer fits and is dropped.
  void set_data(const TensorImpl& src);

  std::shared_ptr<Storage> storage;
  int64_t offset;  // in elements
  Shape shape;
  Shape strides;   // in elements
  DType dtype;
  int64_t numel;
  bool contiguous;
  bool wrapped_number = false;  // a Java scalar wrapped as a 0-dim tensor (lower priority in type promotion)
  bool inference = false;       // made in inference mode: never part of an autograd graph
  std::unique_ptr<AutogradMeta> autograd;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // A new contiguous tensor with uninitialised memory.
  static Tensor empty(Shape shape, DType dtype, Device device = Device::cpu());
  // A 0-dim tensor holding one number; wrapped marks it as a Java scalar for type promotion.
  static Tensor scalar(Scalar value, DType dtype, bool wrapped = false);

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool same(const Tensor& o) const { return impl_ == o.impl_; }

  const Shape& shape() const { return impl_->shape; }
  const Shape& strides() const { return impl_->strides; }
  int64_t dim() const { return static_cast<int64_t>(impl_->shape.size()); }
  int64_t size(int64_t dim) const;    // dim may be negative
  int64_t stride(int64_t dim) const;  // dim may be negative
  int64_t numel() const { return impl_->numel; }
  int64_t offset() const { return impl_->offset; }
  DType dtype() const { return impl_->dtype; }
  Device device() const { return impl_->storage->device(); }
  bool is_contiguous() const { return impl_->contiguous; }
  bool is_wrapped_number() const { return impl_->wrapped_number; }
  const std::shared_ptr<Storage>& storage() const { return impl_->storage; }
  size_t element_size() const { return dtype_size(impl_->dtype); }

  // Address of the first element (the one at index [0, ..., 0]).
  void* raw_data() const {
    return static_cast<char*>(impl_->storage->data()) + impl_->offset * static_cast<int64_t>(element_size());
  }
  template <class T>
  T* data() const {
    return static_cast<T*>(raw_data());
  }

  // A view on the same storage: no copy. Checks that the view stays inside the storage.
  Tensor as_strided(const Shape& shape, const Shape& strides, int64_t offset) const;

  // Whether this and other share memory, exactly (same layout) or partly.
  bool same_layout(const Tensor& other) const;
  bool may_overlap(const Tensor& other) const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

using TensorList = std::vector<Tensor>;

}  // namespace kiln
