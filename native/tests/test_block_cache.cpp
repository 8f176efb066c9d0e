// The per-thread block caches of block_cache.h: reuse, the cap, blocks freed on another thread and after a
// thread's cache is gone, and objects made with allocate_shared through CachedAllocator.
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "block_cache.h"
#include "fixtures.h"

using namespace kiln;

namespace {

using Blocks = BlockCache<48>;  // a size no Kiln type uses, so that the counts below are this test's own

struct Counted {
  static inline int live = 0;
  explicit Counted(int v) : value(v) { ++live; }
  ~Counted() { --live; }
  int value;
  char pad[40];
};

}  // namespace

TEST(freed_blocks_are_reused_by_the_same_thread) {
  const int before = Blocks::cached();
  std::vector<void*> taken;
  for (int i = 0; i < 100; ++i) taken.push_back(Blocks::allocate());
  for (void* p : taken) Blocks::deallocate(p);
  CHECK_EQ(Blocks::cached(), before + 100);
  std::set<void*> again;
  for (int i = 0; i < 100; ++i) again.insert(Blocks::allocate());
  for (void* p : taken) CHECK(again.count(p) == 1);
  CHECK_EQ(Blocks::cached(), before);
  for (void* p : again) Blocks::deallocate(p);
}

TEST(a_thread_caches_at_most_kMaxBlocks) {
  std::vector<void*> taken;
  for (int i = 0; i < Blocks::kMaxBlocks + 500; ++i) taken.push_back(Blocks::allocate());
  for (void* p : taken) Blocks::deallocate(p);  // the last 500 (at least) go back to operator delete
  CHECK_EQ(Blocks::cached(), Blocks::kMaxBlocks);
}

TEST(blocks_taken_on_one_thread_are_freed_on_another) {
  std::vector<void*> taken;
  for (int i = 0; i < 1000; ++i) taken.push_back(Blocks::allocate());
  int cached_there = -1;
  std::thread other([&] {
    for (void* p : taken) Blocks::deallocate(p);
    cached_there = Blocks::cached();
  });  // its cache frees these 1000 blocks as the thread ends (the sanitizer builds check for leaks)
  other.join();
  CHECK_EQ(cached_there, 1000);
}

TEST(allocate_shared_through_the_cache_constructs_and_destroys) {
  {
    std::vector<std::shared_ptr<Counted>> objects;
    for (int i = 0; i < 50; ++i) objects.push_back(std::allocate_shared<Counted>(CachedAllocator<Counted>(), i));
    CHECK_EQ(Counted::live, 50);
    for (int i = 0; i < 50; ++i) CHECK_EQ(objects[i]->value, i);
    std::weak_ptr<Counted> weak = objects[0];
    objects.erase(objects.begin());
    CHECK(weak.expired());
  }
  CHECK_EQ(Counted::live, 0);
}
