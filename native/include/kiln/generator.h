// Random numbers: a seedable counter-based generator (Philox-4x32-10), so results do not depend on
// how the work is split across threads. Same seed, same numbers.
#pragma once
#include <cstdint>
#include <mutex>

namespace kiln {

class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL);

  void manual_seed(uint64_t seed);
  uint64_t seed() const;

  // Reserves `blocks` Philox blocks (4 x 32 random bits each): the seed and the first block's counter.
  // Thread-safe; every caller gets a range no one else gets.
  struct Reservation {
    uint64_t seed, counter;
  };
  Reservation reserve(uint64_t blocks);

  // The calling thread's default generator, used when an op is given none. Each thread has its own,
  // starting from the seed of the last manual_seed_all (PyTorch's default seed before any).
  static Generator& default_generator();

  // torch.manual_seed: seeds the calling thread's default generator, and the ones threads make later.
  static void manual_seed_all(uint64_t seed);

 private:
  mutable std::mutex mutex_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

// One Philox-4x32-10 block: four 32-bit words for (key = seed, counter).
struct PhiloxBlock {
  uint32_t v[4];
};
PhiloxBlock philox(uint64_t seed, uint64_t counter);

}  // namespace kiln
