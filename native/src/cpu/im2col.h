// im2col and col2im over up to 3 spatial dims (1-D and 2-D are 3-D with leading sizes of 1): the column
// matrix of a convolution, [channels * kernel volume, output positions], row (c, kd, kh, kw), column
// (od, oh, ow). im2col reads any strided input; col2im adds into a contiguous one (its adjoint).
#pragma once
#include <cstdint>

#include "kernel_args.h"

namespace kiln::cpu {

using kiln::PatchGeometry;

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
