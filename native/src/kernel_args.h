// The plain parameter structs that kernels of every device take (backend.h): where a convolution's patches lie,
// a pooling window, an optimizer step's constants, a cross-entropy call's options.
#pragma once
#include <cstdint>

namespace kiln {

// A convolution's patches over up to 3 spatial dims (1-D and 2-D are 3-D with leading sizes of 1).
struct PatchGeometry {
  int64_t channels = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};  // pad: at the low end

  int64_t kernel_volume() const { return kernel[0] * kernel[1] * kernel[2]; }
  int64_t out_volume() const { return out[0] * out[1] * out[2]; }
  int64_t in_volume() const { return in[0] * in[1] * in[2]; }
  int64_t rows() const { return channels * kernel_volume(); }
  int64_t out_rows() const { return out[0] * out[1]; }  // output rows (od, oh) of out[2] positions each
};

struct ConvGeometry {
  int64_t batch = 0, groups = 1;
  int64_t large_channels = 0, small_channels = 0;
  PatchGeometry patch;  // channels: per group; in: the large size; out: the small size

  int64_t large_channels_per_group() const { return large_channels / groups; }
  int64_t small_channels_per_group() const { return small_channels / groups; }
};

struct Pool2d {
  int64_t kernel[2] = {1, 1}, stride[2] = {1, 1}, pad[2] = {0, 0}, dilation[2] = {1, 1};
  bool count_include_pad = true;
  int64_t divisor_override = 0;  // 0: none
};

struct SgdConfig {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first_step;  // first_step: the momentum buffer takes the gradient
};

struct AdamConfig {
  double lr, beta1, beta2, eps, weight_decay;
  double step_size, bias_correction2_sqrt;  // lr / (1 - beta1^t), sqrt(1 - beta2^t)
  bool amsgrad, maximize, decoupled;        // decoupled: AdamW's weight decay
};

struct CrossEntropyPlan {
  bool probabilities;
  int64_t ignore_index;
  double label_smoothing;
};

}  // namespace kiln
