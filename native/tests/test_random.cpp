// Philox-4x32-10 known answers, Generator counter reservations, and how rand and randn map Philox blocks to
// elements.
#include <algorithm>
#include <cmath>
#include <thread>

#include "fixtures.h"

using namespace kiln;

namespace {

void check_block(uint64_t seed, uint64_t counter, uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
  const PhiloxBlock b = philox(seed, counter);
  CHECK_EQ(b.v[0], w0);
  CHECK_EQ(b.v[1], w1);
  CHECK_EQ(b.v[2], w2);
  CHECK_EQ(b.v[3], w3);
}

}  // namespace

// Random123's tests/kat_vectors: "philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000
// 6627e8d5 e169c58d bc57ac4c 9b00dbd8" (counter words, key words, output words).
TEST(philox_known_answer_zero) { check_block(0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8); }

// Random123's other two philox4x32-10 vectors (all-ones, and the digits of pi) set counter words 2 and 3,
// which philox(seed, counter) keeps at zero. These vectors keep the same keys and counter words 0 and 1
// with words 2 and 3 at zero; they were computed with an independent Philox-4x32-10 that reproduces all
// three published vectors (all-ones -> 408f276d 41c83b0e a20bc7c6 6d5451fd, pi -> d16cfe09 94fdcceb
// 5001e420 24126ea1).
TEST(philox_all_ones_key_and_counter) {
  check_block(0xffffffffffffffffULL, 0xffffffffffffffffULL, 0x4d18d7d2, 0x430ac65a, 0xbd2fa22a, 0x0afae10d);
}

TEST(philox_pi_key_and_counter) {
  // key = (0xa4093822, 0x299f31d0), counter = (0x243f6a88, 0x85a308d3, 0, 0)
  check_block(0x299f31d0a4093822ULL, 0x85a308d3243f6a88ULL, 0xe69c9c31, 0xb5a3d762, 0xe733bfc1, 0x341a787c);
}

TEST(philox_words_of_seed_and_counter) {
  // The low 32 bits of seed and counter are key word 0 and counter word 0; the high bits are word 1.
  check_block(0, 1, 0xf8e4cca4, 0x5cb200db, 0xb1a574eb, 0x097eff67);
  check_block(0, uint64_t(1) << 32, 0x6ad0c5ec, 0xea236249, 0x73a459f5, 0x074944b3);
  check_block(1, 0, 0xe3e80670, 0xe50a0ebc, 0x95f222c0, 0xb615aa27);
  check_block(uint64_t(1) << 32, 0, 0xfdde3e0b, 0xfa7e58b6, 0x3380ec46, 0xd8d55c4f);
}

TEST(generator_reserves_consecutive_counters) {
  Generator g(5);
  CHECK_EQ(g.seed(), uint64_t(5));
  Generator::Reservation r = g.reserve(3);
  CHECK_EQ(r.seed, uint64_t(5));
  CHECK_EQ(r.counter, uint64_t(0));
  r = g.reserve(2);
  CHECK_EQ(r.counter, uint64_t(3));
  r = g.reserve(0);
  CHECK_EQ(r.counter, uint64_t(5));
  g.manual_seed(9);
  r = g.reserve(1);
  CHECK_EQ(r.seed, uint64_t(9));
  CHECK_EQ(r.counter, uint64_t(0));
  CHECK_EQ(Generator().seed(), uint64_t(67280421310721ULL));
}

TEST(concurrent_reservations_never_overlap) {
  Generator g(1);
  constexpr int kThreads = 4, kEach = 2000;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&g, &got, i] {
      for (int k = 0; k < kEach; ++k) got[i].push_back(g.reserve(2).counter);
    });
  for (auto& t : threads) t.join();
  std::vector<uint64_t> all;
  for (const auto& v : got) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) CHECK_EQ(all[i], uint64_t(2 * i));
}

TEST(rand_reads_philox_blocks_in_order) {
  // float32: element i takes 24 bits of word i % 4 of block i / 4 (key = the seed, counter = block index).
  Generator g(0);
  const Tensor r = rand({8}, DType::Float32, &g);
  const uint32_t words[] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8,   // philox(0, 0)
                            0xf8e4cca4, 0x5cb200db, 0xb1a574eb, 0x097eff67};  // philox(0, 1)
  std::vector<double> want;
  for (uint32_t w : words) want.push_back(static_cast<double>(w >> 8) / 16777216.0);
  CHECK_VALUES(r, 0, want);
  // The next call continues with block 2.
  const Tensor next = rand({1}, DType::Float32, &g);
  CHECK_VALUES(next, 0, {static_cast<double>(philox(0, 2).v[0] >> 8) / 16777216.0});
  // float64: 53 bits from words 0-1 and from words 2-3.
  Generator h(0);
  const uint64_t hi = (uint64_t(0x6627e8d5) << 32) | 0xe169c58d, lo = (uint64_t(0xbc57ac4c) << 32) | 0x9b00dbd8;
  const double two53 = 9007199254740992.0;
  CHECK_VALUES(rand({2}, DType::Float64, &h), 0,
               {static_cast<double>(hi >> 11) / two53, static_cast<double>(lo >> 11) / two53});
}

TEST(randn_pairs_philox_words_by_box_muller) {
  // float32: elements 2p and 2p + 1 of block b come from its words 2p and 2p + 1: u1 = 1 - u(w0), u2 = u(w1)
  // (24 bits each), r = sqrt(-2 log u1), then r cos(2 pi u2) and r sin(2 pi u2), mean + std * z. Computed here
  // in double; the kernel computes in float (about 1 ulp each step). 1,001 elements: runs of 64 blocks and a cut
  // last pair; mean 1, std 2.
  for (int threads : {1, 2}) {
    const test::ThreadCount use(threads);
    Generator g(7);
    Tensor r = zeros({1001});
    normal_(r, 1.0, 2.0, &g);
    std::vector<double> want;
    for (int64_t i = 0; i < 1001; ++i) {
      const PhiloxBlock b = philox(7, static_cast<uint64_t>(i / 4));
      const int p = static_cast<int>(i % 4) / 2;
      const double u1 = 1.0 - static_cast<double>(b.v[2 * p] >> 8) / 16777216.0;
      const double u2 = static_cast<double>(b.v[2 * p + 1] >> 8) / 16777216.0;
      const double rad = std::sqrt(-2.0 * std::log(u1)), t = 6.283185307179586 * u2;
      want.push_back(1.0 + 2.0 * rad * (i % 2 == 0 ? std::cos(t) : std::sin(t)));
    }
    CHECK_VALUES(r, 2e-5, want);
  }
}
