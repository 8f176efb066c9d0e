// A stride-1 convolution's input as one zero-padded copy per sample, the "feed": every patch row (an input channel
// and a kernel offset) is then the feed from a fixed offset on, and within an output row the patch values of
// consecutive positions are consecutive in it (a segment). No im2col is written. The float32 weight gradient
// (weight_grad_f32.cpp) and the direct convolution (direct_conv_f32.cpp) read it, on AVX-512 CPUs; the weight
// gradient also takes strided convolutions, as im2col's columns in one segment.
#pragma once
#include <cstdint>
#include <vector>

#include "kernel_args.h"
#include "kiln/tensor.h"

namespace kiln::cpu {

// A stretch of output positions whose patch values lie in one run of the feed: positions [first, first + width)
// (within a sample's output plane), read at feed offset `offset` on.
struct Segment {
  int64_t offset, first, width;
};

struct FeedPlan {
  ConvGeometry g;
  int64_t cg = 0, kg = 0, kv = 0, rows = 0, L = 0;  // channels per group (large, small), kernel volume, patch rows
                                                    // per group, output positions
  bool padded = false;                              // stride 1: the padded copy; otherwise im2col's columns
  int64_t pd = 0, ph = 0, pw = 0, plane = 0;        // the padded copy's extents (depth, height, row width), its plane
  std::vector<int64_t> offsets{};                   // of each patch row of a group in its feed
  std::vector<Segment> segments{};
};

FeedPlan make_feed_plan(const ConvGeometry& g);

// Zeros past a padded feed's end, so that whole vectors may be loaded from anywhere in a row (the direct
// convolution's last vector of a row reads up to 63 values past it).
constexpr int64_t kFeedSlack = 64;

// A feed buffer for one sample of every channel, zero where the padding is (and kFeedSlack zeros after it): each
// sample then overwrites the same interior.
Tensor make_feed(const FeedPlan& p);

// Copies sample x (element strides s: channel, d, h, w) into the feed's interior (padded plans).
void pad_sample(const FeedPlan& p, const float* x, const int64_t* s, float* feed);

}  // namespace kiln::cpu
