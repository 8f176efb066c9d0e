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
  int64_t out_rows() const { return out[0] * out[1]; }  // output rows (od, oh) of out[2] positions each
};

// cols[rows, (r1 - r0) * out[2]] (contiguous) from x: the columns of output rows [r0, r1) (row od * out[1] + oh),
// all of them by default; strides[4] are x's element strides of (channel, d, h, w).
template <class T>
void im2col(const PatchGeometry& g, const T* x, const int64_t* strides, T* cols, int64_t r0, int64_t r1);
template <class T>
void im2col(const PatchGeometry& g, const T* x, const int64_t* strides, T* cols) {
  im2col(g, x, strides, cols, 0, g.out_rows());
}

// x[channels, in...] (contiguous) += the patches in cols (output rows [r0, r1)), each added where im2col read it.
template <class T>
void col2im(const PatchGeometry& g, const T* cols, T* x, int64_t r0, int64_t r1);
template <class T>
void col2im(const PatchGeometry& g, const T* cols, T* x) {
  col2im(g, cols, x, 0, g.out_rows());
}

}  // namespace kiln::cpu
