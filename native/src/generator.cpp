// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11).
#include "kiln/generator.h"

#include <atomic>

namespace kiln {

Generator::Generator(uint64_t seed) : seed_(seed) {}

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::seed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seed_;
}

Generator::Reservation Generator::reserve(uint64_t blocks) {
  std::lock_guard<std::mutex> lock(mutex_);
  Reservation r{seed_, offset_};
  offset_ += blocks;
  return r;
}

namespace {
// The seed a thread's default generator starts from: PyTorch's default, until manual_seed changes it.
std::atomic<uint64_t> g_starting_seed{67280421310721ULL};
}  // namespace

Generator& Generator::default_generator() {
  // One per thread, so that threads drawing at the same time each get the numbers they get alone.
  thread_local Generator g(g_starting_seed.load(std::memory_order_relaxed));
  return g;
}

void Generator::manual_seed_all(uint64_t seed) {
  g_starting_seed.store(seed, std::memory_order_relaxed);
  default_generator().manual_seed(seed);
}

PhiloxBlock philox(uint64_t seed, uint64_t counter) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kM0) * c0, p1 = static_cast<uint64_t>(kM1) * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  return {{c0, c1, c2, c3}};
}

}  // namespace kiln
