// What the facade's translation units share: handles and the error guard.
#pragma once
#include <new>

#include "block_cache.h"
#include "kiln/error.h"
#include "kiln/tensor.h"

namespace kiln {

int32_t& last_error_kind();

// Runs f; records the kind of any exception on its way out to Java (kiln_last_error_kind).
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    last_error_kind() = static_cast<int32_t>(e.kind());
    throw;
  } catch (const std::bad_alloc&) {
    last_error_kind() = static_cast<int32_t>(ErrorKind::OutOfMemory);
    throw Error(ErrorKind::OutOfMemory, "out of memory");
  } catch (...) {
    last_error_kind() = static_cast<int32_t>(ErrorKind::Internal);
    throw;
  }
}

// A new handle (a heap-allocated reference) to t; the caller owns it and frees it with release_handle.
using HandleBlocks = BlockCache<block_bytes(sizeof(Tensor))>;
inline int64_t handle(Tensor t) { return reinterpret_cast<int64_t>(new (HandleBlocks::allocate()) Tensor(std::move(t))); }
inline void release_handle(int64_t h) {
  Tensor* t = reinterpret_cast<Tensor*>(h);
  if (!t) return;
  t->~Tensor();
  HandleBlocks::deallocate(t);
}

inline const Tensor& tensor(int64_t h) {
  KILN_CHECK(h != 0, Argument, "a released or null tensor handle was passed");
  return *reinterpret_cast<Tensor*>(h);
}

}  // namespace kiln
