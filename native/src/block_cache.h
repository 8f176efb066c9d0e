// Per-thread caches of the small blocks that every op allocates: a tensor's Storage and TensorImpl (each with its
// shared_ptr control block) and the handle Java holds. A scope that closes a thousand tensors at once overflows
// glibc's per-thread cache (7 blocks of a size) and sends the rest through malloc's slow paths: perf put 35% of a
// tiny op's time in malloc and free, and a larger glibc cache (GLIBC_TUNABLES=glibc.malloc.tcache_count=4000)
// took tiny ops from 0.40 to 0.30 µs. The blocks come from and return to operator new and delete; a cache only
// keeps up to kMaxBlocks of them, and a block may be freed on another thread than the one that took it.
#pragma once
#include <cstddef>
#include <new>

namespace kiln {

template <size_t Bytes>
class BlockCache {
 public:
  static void* allocate() {
    List& l = list();
    if (Node* n = l.head) {
      l.head = n->next;
      --l.count;
      return n;
    }
    return ::operator new(Bytes);
  }

  static void deallocate(void* p) noexcept {
    List& l = list();
    if (l.count >= kMaxBlocks || l.closed) return ::operator delete(p);
    Node* n = static_cast<Node*>(p);
    n->next = l.head;
    l.head = n;
    ++l.count;
  }

  // Blocks this thread's cache holds now (for tests).
  static int cached() { return list().count; }

  static constexpr int kMaxBlocks = 4096;  // 4096 tensors of a training step's scope; under 1 MB a thread and size

 private:
  struct Node {
    Node* next;
  };
  struct List {
    Node* head = nullptr;
    int count = 0;
    bool closed = false;  // set as the thread ends: blocks freed later (by other thread_locals) go straight back
    ~List() {
      closed = true;
      while (Node* n = head) {
        head = n->next;
        ::operator delete(n);
      }
    }
  };
  static List& list() {
    thread_local List l;
    return l;
  }
};

constexpr size_t block_bytes(size_t bytes) { return (bytes + 15) & ~size_t(15); }

// A std::allocator for std::allocate_shared: the object and its control block come from a BlockCache.
template <class T>
struct CachedAllocator {
  using value_type = T;
  static_assert(alignof(T) <= alignof(std::max_align_t), "BlockCache blocks have operator new's alignment");

  CachedAllocator() = default;
  template <class U>
  CachedAllocator(const CachedAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    if (n != 1) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(BlockCache<block_bytes(sizeof(T))>::allocate());
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n != 1) return ::operator delete(p);
    BlockCache<block_bytes(sizeof(T))>::deallocate(p);
  }

  template <class U>
  bool operator==(const CachedAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const CachedAllocator<U>&) const noexcept { return false; }
};

}  // namespace kiln
