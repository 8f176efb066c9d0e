// Dropout: the batched Philox words against kiln::philox, keep rates and scaling, determinism with a seeded
// generator and across thread counts, feature and alpha forms, the p = 0 / p = 1 / evaluation shortcuts, the
// gradient, bad input.
#include <cmath>

#include "cpu/dropout.h"
#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::ThreadCount;
using test::uniform;

TEST(batched_philox_words_are_philox_blocks) {
  std::vector<uint32_t> words(4 * 37);
  cpu::philox_words(12345, 1000, 37, words.data());
  for (uint64_t j = 0; j < 37; ++j) {
    const PhiloxBlock b = philox(12345, 1000 + j);
    for (int w = 0; w < 4; ++w) CHECK_EQ(words[4 * j + w], b.v[w]);
  }
}

TEST(dropout_keeps_one_minus_p_and_scales_the_kept) {
  Generator g(3);
  const Tensor x = add(uniform({200000}, 1), wrapped_scalar(Scalar(2.0)));  // no zeros of its own
  const Tensor y = dropout(x, 0.3, true, &g);
  const std::vector<double> xv = test::values(x), yv = test::values(y);
  int64_t kept = 0;
  for (size_t i = 0; i < xv.size(); ++i) {
    if (yv[i] == 0) continue;
    ++kept;
    CHECK(test::close(yv[i], xv[i] / 0.7, 1e-6));
  }
  // 200000 draws: the kept fraction is within 5 standard deviations (0.005) of 0.7.
  CHECK(std::fabs(static_cast<double>(kept) / 200000.0 - 0.7) < 0.005);
}

TEST(dropout_is_reproducible_and_thread_independent) {
  const Tensor x = uniform({3, 50000}, 2);
  Tensor a, b;
  {
    ThreadCount t(1);
    Generator g(9);
    a = dropout(x, 0.5, true, &g);
  }
  {
    ThreadCount t(3);
    Generator g(9);
    b = dropout(x, 0.5, true, &g);
  }
  CHECK_SAME(b, a, 0);
  Generator g(9);
  dropout(x, 0.5, true, &g);
  const Tensor c = dropout(x, 0.5, true, &g);  // the generator moved on: a different mask
  CHECK(test::values(sum(abs(sub(c, a))))[0] > 0);
}

TEST(dropout_shortcuts_match_pytorch) {
  Tensor x = uniform({4, 5}, 3);
  CHECK(dropout(x, 0.0, true).same(x));    // p = 0: the input itself
  CHECK(dropout(x, 0.7, false).same(x));   // evaluation: the input itself
  const Tensor nan = test::make({NAN, INFINITY, 1.0}, {3});
  CHECK_VALUES(dropout(nan, 1.0, true), 0, {NAN, NAN, 0.0});  // p = 1: x * 0, as PyTorch
  const Tensor ints = test::make({1, 2, 3}, {3}, DType::Int64);
  CHECK_EQ(dropout(ints, 1.0, true).dtype(), DType::Int64);
  CHECK_THROWS(dropout(ints, 0.5, true), DType, "dropout");
  CHECK_THROWS(dropout(x, 1.5, true), Argument, "dropout probability has to be between 0 and 1, but got 1.5");
}

TEST(feature_dropout_drops_whole_channels) {
  Generator g(4);
  const Tensor x = add(uniform({8, 16, 5, 3}, 4), wrapped_scalar(Scalar(2.0)));
  const Tensor y = feature_dropout(x, 0.5, true, &g);
  const std::vector<double> xv = test::values(x), yv = test::values(y);
  int64_t dropped = 0;
  for (int64_t c = 0; c < 8 * 16; ++c) {
    const bool zero = yv[static_cast<size_t>(c * 15)] == 0;
    dropped += zero;
    for (int64_t i = 0; i < 15; ++i) {
      const size_t at = static_cast<size_t>(c * 15 + i);
      CHECK(zero ? yv[at] == 0 : test::close(yv[at], 2 * xv[at], 1e-6));
    }
  }
  CHECK(dropped > 30 && dropped < 98);  // 128 channels at p = 0.5
  CHECK_THROWS(feature_dropout(uniform({5}, 5), 0.5, true), Shape, "Feature dropout requires at least 2 dimensions");
}

TEST(alpha_dropout_keeps_a_standard_normal_standard) {
  Generator g(5);
  const Tensor x = randn({400000}, DType::Float64, &g);
  const Tensor y = alpha_dropout(x, 0.2, true, &g);
  CHECK(std::fabs(test::values(mean(y))[0]) < 0.01);
  CHECK(std::fabs(test::values(var(y))[0] - 1) < 0.01);
  CHECK(alpha_dropout(x, 0.2, false).same(x));
}

TEST(dropout_gradient_is_the_mask_times_the_scale) {
  Generator g(6);
  Tensor x = uniform({1000}, 7, 1, 2, DType::Float64);
  set_requires_grad(x, true);
  const Tensor y = dropout(x, 0.25, true, &g);
  CHECK_EQ(grad_fn_name(y), std::string("NativeDropoutBackward0"));
  const Tensor gx = kiln::grad({sum(y)}, {x})[0];
  // y = x / 0.75 where kept, 0 elsewhere: the gradient is y / x.
  CHECK_SAME(gx, div(detach(y), detach(x)), 1e-12);
}
