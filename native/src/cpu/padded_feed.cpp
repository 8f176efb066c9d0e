#include "cpu/padded_feed.h"

#include <algorithm>
#include <cstring>


namespace kiln::cpu {

FeedPlan make_feed_plan(const ConvGeometry& g) {
  const PatchGeometry& pg = g.patch;
  FeedPlan p{g};
  p.cg = g.large_channels_per_group();
  p.kg = g.small_channels_per_group();
  p.kv = pg.kernel_volume();
  p.rows = p.cg * p.kv;
  p.L = pg.out_volume();
  p.padded = pg.stride[0] == 1 && pg.stride[1] == 1 && pg.stride[2] == 1;
  // The extents a stride-1 convolution reads: the output's plus the dilated kernel's reach.
  p.pd = pg.out[0] + (pg.kernel[0] - 1) * pg.dilation[0];
  p.ph = pg.out[1] + (pg.kernel[1] - 1) * pg.dilation[1];
  p.pw = pg.out[2] + (pg.kernel[2] - 1) * pg.dilation[2];
  p.plane = p.pd * p.ph * p.pw;
  for (int64_t c = 0; c < p.cg; ++c)
    for (int64_t a = 0; a < pg.kernel[0]; ++a)
      for (int64_t b = 0; b < pg.kernel[1]; ++b)
        for (int64_t e = 0; e < pg.kernel[2]; ++e)
          p.offsets.push_back(p.padded ? c * p.plane + (a * pg.dilation[0] * p.ph + b * pg.dilation[1]) * p.pw +
                                             e * pg.dilation[2]
                                       : static_cast<int64_t>(p.offsets.size()) * p.L);
  if (!p.padded) {
    p.segments.push_back({0, 0, p.L});
    return p;
  }
  for (int64_t a = 0; a < pg.out[0]; ++a)
    for (int64_t b = 0; b < pg.out[1]; ++b)
      p.segments.push_back({(a * p.ph + b) * p.pw, (a * pg.out[1] + b) * pg.out[2], pg.out[2]});
  return p;
}

Tensor make_feed(const FeedPlan& p) {
  if (!p.padded) return Tensor::empty({p.g.large_channels * p.kv * p.L}, DType::Float32);
  Tensor feed = Tensor::empty({p.g.large_channels * p.plane + kFeedSlack}, DType::Float32);
  std::memset(feed.data<float>(), 0, static_cast<size_t>(feed.numel()) * sizeof(float));
  return feed;
}

namespace {

// dst[i] = src[i * stride] for i < n.
void copy_run(float* dst, const float* src, int64_t n, int64_t stride) {
  if (stride == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i * stride];
}

}  // namespace

void pad_sample(const FeedPlan& p, const float* x, const int64_t* s, float* feed) {
  const PatchGeometry& pg = p.g.patch;
  // Input positions past what the convolution reads (an output cut short) are left out.
  const int64_t d1 = std::min(pg.in[0], p.pd - pg.pad[0]), h1 = std::min(pg.in[1], p.ph - pg.pad[1]),
                w1 = std::min(pg.in[2], p.pw - pg.pad[2]);
  if (w1 <= 0) return;
  for (int64_t c = 0; c < p.g.large_channels; ++c)
    for (int64_t d = 0; d < d1; ++d)
      for (int64_t h = 0; h < h1; ++h)
        copy_run(feed + c * p.plane + ((d + pg.pad[0]) * p.ph + h + pg.pad[1]) * p.pw + pg.pad[2],
                 x + c * s[0] + d * s[1] + h * s[2], w1, s[3]);
}

}  // namespace kiln::cpu
