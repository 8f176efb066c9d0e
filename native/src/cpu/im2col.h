// im2col and col2im over up to 3 spatial dims (1-D and 2-D are 3-D with leading sizes of 1): the column
// matrix of a convolution, [channels * kernel volume, output positions], row (c, kd, kh, kw), column
// (od, oh, ow). im2col reads any strided input; col2im adds into a contiguous one (its adjoint).
#pragma once
#include <cstdint>

namespace kiln::cpu {

struct PatchGeometry {
  int64_t channels = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};  // pad: at the low end

  int64_t kernel_volume() const { return kernel[0] * kernel[1] * kernel[2]; }
  int64_t out_volume() const { return out[0] * out[1] * out[2]; }
  int64_t in_volume() const { return in[0] * in[1] * in[2]; }
  int64_t rows() const { return channels * kernel_volume(); }
};

// cols[rows, out_volume] (contiguous) from x; strides[4] are x's element strides of (channel, d, h, w).
template <class T>
void im2col(const PatchGeometry& g, const T* x, const int64_t* strides, T* cols);

// x[channels, in...] (contiguous) += the patches in cols, each added where im2col read it.
template <class T>
void col2im(const PatchGeometry& g, const T* cols, T* x);

}  // namespace kiln::cpu
