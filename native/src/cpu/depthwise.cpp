// Depthwise convolution (one input channel per group) as direct loops: no column matrix is written and no GEMM
// of one row is called per channel. Forward, transposed and weight gradient. Each output row is computed whole in
// vector registers: out[u] = init + sum over taps of w_t src_t[u], where every tap's src_t is a contiguous run of
// a padded copy of the rows it reads, so the loop over u has no bounds to check. The copies hold zeros where
// the convolution pads, and the forward's copy is split by the stride along the row (phase ph holds the columns
// t * stride + ph), so a strided row reads contiguous runs too. Each output element is computed by one thread
// in a fixed order, so results do not depend on the thread count. The weight is dense past dim 0 and the small
// side's planes are dense (conv.cpp copies them when not); the large side has any strides.
//
// The sums are the textbook order, init then the taps in (multiplier, kd, kh, kw) order, each a product then a
// sum (no fused multiply-add), so every ISA computes the same bits. A tap over padding adds w * 0, as a padded
// im2col does (PyTorch's too).
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "cpu/dispatch.h"
#include "cpu/claim_loop.h"
#include "cpu/conv.h"
#include "cpu/simd.h"
#include "cpu/wide.h"

namespace kiln::cpu {
namespace {

template <class T>
struct Tap {
  const T* src;
  T w;
};

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// NV vectors of 64 bytes of outputs from y + i: init + sum_t w_t src_t[i + ...].
template <class T, int B, int NV>
KILN_ALWAYS_INLINE void taps_vectors(Wide<T, B>* acc, int64_t i, const Tap<T>* taps, int64_t count, T init) {
  using V = Wide<T, B>;
  for (int a = 0; a < NV; ++a) acc[a] = V::splat(init);
  for (int64_t t = 0; t < count; ++t) {
    const V w = V::splat(taps[t].w);
    const T* s = taps[t].src + i;
    for (int a = 0; a < NV; ++a) acc[a] += w * V::load(s + a * V::kLanes);
  }
}

// The chunk of a row of n outputs: whole 64-byte vectors, up to four, no more than the row holds (so that the
// last chunk can end at the row's end, overlapping the one before, instead of storing a partial vector).
template <class T>
int64_t chunk_vectors(int64_t n) {
  constexpr int64_t lanes = 64 / sizeof(T);
  return n >= 4 * lanes ? 4 : n >= 2 * lanes ? 2 : 1;
}
template <class T>
int64_t chunk_of(int64_t n) { return chunk_vectors<T>(n) * (64 / static_cast<int64_t>(sizeof(T))); }

// y[u * y_step] for u in [0, n) = init + sum_t w_t src_t[u], in chunks of NW vectors; every src_t must hold
// round_up(n, chunk_of(n)) readable elements. A dense row at least a vector long ends with a chunk that
// overlaps the one before (its elements computed twice, the same bits both times); other rows store through a
// buffer.
template <class T, int B, int NW>
KILN_ALWAYS_INLINE void taps_row_t(T* y, int64_t y_step, int64_t n, const Tap<T>* taps, int64_t count, T init) {
  using V = Wide<T, B>;
  constexpr int64_t kChunk = NW * V::kLanes;
  V acc[NW];
  if (y_step != 1 || n < V::kLanes) {
    for (int64_t i = 0; i < n; i += kChunk) {
      taps_vectors<T, B, NW>(acc, i, taps, count, init);
      T part[kChunk];
      for (int a = 0; a < NW; ++a) acc[a].store(part + a * V::kLanes);
      const int64_t m = std::min(kChunk, n - i);
      for (int64_t j = 0; j < m; ++j) y[(i + j) * y_step] = part[j];
    }
    return;
  }
  int64_t i = 0;
  for (; i + kChunk <= n; i += kChunk) {
    taps_vectors<T, B, NW>(acc, i, taps, count, init);
    for (int a = 0; a < NW; ++a) acc[a].store(y + i + a * V::kLanes);
  }
  if (i == n) return;
  const int64_t nv = (n - i + V::kLanes - 1) / V::kLanes, start = n - nv * V::kLanes;
  auto last = [&](auto NV) KILN_INLINE_LAMBDA {
    taps_vectors<T, B, NV>(acc, start, taps, count, init);
    for (int a = 0; a < NV; ++a) acc[a].store(y + start + a * V::kLanes);
  };
  if constexpr (NW == 4) {
    if (nv == 4) return last(std::integral_constant<int, 4>{});
    if (nv == 3) return last(std::integral_constant<int, 3>{});
  }
  if constexpr (NW >= 2) {
    if (nv == 2) return last(std::integral_constant<int, 2>{});
  }
  last(std::integral_constant<int, 1>{});
}

template <class T, int B>
KILN_ALWAYS_INLINE void taps_row(T* y, int64_t y_step, int64_t n, const Tap<T>* taps, int64_t count, T init) {
  switch (chunk_vectors<T>(n)) {
    case 1: return taps_row_t<T, B, 1>(y, y_step, n, taps, count, init);
    case 2: return taps_row_t<T, B, 2>(y, y_step, n, taps, count, init);
    default: return taps_row_t<T, B, 4>(y, y_step, n, taps, count, init);
  }
}

// dst[0, n) = src[0, n) in vectors (a library call per short row cost as much as the convolution's arithmetic);
// the last vector overlaps the one before where n is not a multiple of the vector.
template <class T, int B>
KILN_ALWAYS_INLINE void copy_run(T* dst, const T* src, int64_t n) {
  using V = Wide<T, B>;
  if (n < V::kLanes) {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
    return;
  }
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) V::load(src + i).store(dst + i);
  if (i < n) V::load(src + n - V::kLanes).store(dst + n - V::kLanes);
}
template <class T>
KILN_ALWAYS_INLINE void zero_run(T* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = T(0);
}

// The large side's rows of one plane as the forward and the weight gradient read them: row (id, ih) is `row`
// elements, `sw` phases of `len`; element t of phase ph is input column t * sw + ph - pw, zero outside [0, W).
// Kernel column kw then reads phase (kw dw) % sw from (kw dw) / sw on, for outputs [0, round_up(out, chunk)).
struct PhaseRows {
  int64_t sw, pw, len, row;
  PhaseRows(const PatchGeometry& p, int64_t chunk)
      : sw(p.stride[2]), pw(p.pad[2]), len(round_up(p.out[2], chunk) + (p.kernel[2] - 1) * p.dilation[2] / sw),
        row(sw * len) {}
  int64_t size(const PatchGeometry& p) const { return p.in[0] * p.in[1] * row; }

  template <class T, int B>
  KILN_ALWAYS_INLINE void fill(T* buf, const PatchGeometry& p, const T* x, const int64_t* s) const {
    const int64_t W = p.in[2];
    for (int64_t id = 0; id < p.in[0]; ++id)
      for (int64_t ih = 0; ih < p.in[1]; ++ih) {
        T* dst = buf + (id * p.in[1] + ih) * row;
        const T* src = x + id * s[0] + ih * s[1];
        if (sw == 1 && s[2] == 1) {
          const int64_t lo = std::min(pw, len), n = std::clamp(len - pw, int64_t{0}, W);
          zero_run(dst, lo);
          copy_run<T, B>(dst + lo, src, n);
          zero_run(dst + lo + n, len - lo - n);
          continue;
        }
        for (int64_t ph = 0; ph < sw; ++ph)
          for (int64_t t = 0; t < len; ++t) {
            const int64_t col = t * sw + ph - pw;
            dst[ph * len + t] = col >= 0 && col < W ? src[col * s[2]] : T(0);
          }
      }
  }
  // Where each kernel column kw starts reading in a row.
  void columns(const PatchGeometry& p, std::vector<int64_t>& out) const {
    out.resize(static_cast<size_t>(p.kernel[2]));
    for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
      const int64_t off = kw * p.dilation[2];
      out[static_cast<size_t>(kw)] = off % sw * len + off / sw;
    }
  }
};

// Calls fn(row, widx, kw) for the kernel's (kd, kh, kw) in order whose input row (id, ih) of output row (od, oh)
// lies inside the input; row is that row's index (id in[1] + ih), widx the weight's.
template <class Fn>
KILN_ALWAYS_INLINE void forward_taps(const PatchGeometry& p, int64_t od, int64_t oh, Fn&& fn) {
  for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
    const int64_t id = od * p.stride[0] + kd * p.dilation[0] - p.pad[0];
    if (id < 0 || id >= p.in[0]) continue;
    for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
      const int64_t ih = oh * p.stride[1] + kh * p.dilation[1] - p.pad[1];
      if (ih < 0 || ih >= p.in[1]) continue;
      const int64_t row = id * p.in[1] + ih, widx = (kd * p.kernel[1] + kh) * p.kernel[2];
      for (int64_t kw = 0; kw < p.kernel[2]; ++kw) fn(row, widx + kw, kw);
    }
  }
}

template <class T>
struct Scratch {
  std::vector<T> rows;
  std::vector<Tap<T>> taps;
  std::vector<int64_t> columns;
};

// Rows of the planes a thread takes next, prefetched a share at a time while it computes the current plane: a
// plane is a few KB of rows at a stride, too short a run for the hardware prefetchers, which left the loops
// waiting on memory (32x64x56x56: the weight gradient 5.2 -> 2.4 ms with this).
struct Ahead {
  struct Rows {
    const char* base = nullptr;  // null: none
    int64_t count = 0, per_group = 1, group_stride = 0, row_stride = 0, bytes = 0;  // strides in bytes
  } sets[2];

  // Row r of a set is at base + (r / per_group) group_stride + (r % per_group) row_stride.
  template <class T>
  void add(int i, const T* base, int64_t groups, int64_t per_group, int64_t group_stride, int64_t row_stride,
           int64_t length, bool dense) {
    sets[i] = dense ? Rows{reinterpret_cast<const char*>(base), groups * per_group, per_group,
                           group_stride * int64_t(sizeof(T)), row_stride * int64_t(sizeof(T)), length * int64_t(sizeof(T))}
                    : Rows{};
  }
  // Prefetches share i of `of` of every set's rows.
  KILN_ALWAYS_INLINE void fetch(int64_t i, int64_t of) const {
    for (const Rows& s : sets) {
      if (!s.base) continue;
      for (int64_t r = i * s.count / of; r < (i + 1) * s.count / of; ++r) {
        const char* row = s.base + r / s.per_group * s.group_stride + r % s.per_group * s.row_stride;
        for (int64_t b = 0; b < s.bytes; b += 64) __builtin_prefetch(row + b);
      }
    }
  }
};

struct ForwardArgs {
  const PatchGeometry* p;
  int64_t s[3];  // the large side's element strides along (d, h, w)
};

// One output plane y (dense) of the forward, from the input plane x and the channel's weights w.
template <class T, int B>
KILN_ALWAYS_INLINE void forward_plane_t(const ForwardArgs& a, T* y, const T* x, const T* w, T bias, Scratch<T>& sc,
                                        const Ahead& next) {
  const PatchGeometry& p = *a.p;
  const PhaseRows rows(p, chunk_of<T>(p.out[2]));
  sc.rows.resize(static_cast<size_t>(rows.size(p)));
  sc.taps.resize(static_cast<size_t>(p.kernel_volume()));
  rows.fill<T, B>(sc.rows.data(), p, x, a.s);
  rows.columns(p, sc.columns);
  for (int64_t od = 0; od < p.out[0]; ++od)
    for (int64_t oh = 0; oh < p.out[1]; ++oh) {
      next.fetch(od * p.out[1] + oh, p.out_rows());
      int64_t count = 0;
      forward_taps(p, od, oh, [&](int64_t r, int64_t widx, int64_t kw) KILN_INLINE_LAMBDA {
        sc.taps[count++] = {sc.rows.data() + r * rows.row + sc.columns[static_cast<size_t>(kw)], w[widx]};
      });
      taps_row<T, B>(y + (od * p.out[1] + oh) * p.out[2], 1, p.out[2], sc.taps.data(), count, bias);
    }
}
KILN_SIMD void forward_plane(const ForwardArgs& a, float* y, const float* x, const float* w, float b,
                             Scratch<float>& sc, const Ahead& next) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { forward_plane_t<float, B>(a, y, x, w, b, sc, next); });
}
KILN_SIMD void forward_plane(const ForwardArgs& a, double* y, const double* x, const double* w, double b,
                             Scratch<double>& sc, const Ahead& next) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { forward_plane_t<double, B>(a, y, x, w, b, sc, next); });
}

// The large side's plane (n, c) as rows to prefetch.
template <class T>
void add_large(Ahead& ahead, int i, const Tensor& large, const ForwardArgs& a, int64_t n, int64_t c) {
  const PatchGeometry& p = *a.p;
  ahead.add(i, large.data<T>() + n * large.strides()[0] + c * large.strides()[1], p.in[0], p.in[1], a.s[0], a.s[1],
            p.in[2], a.s[2] == 1 || p.in[2] == 1);
}

void large_strides(const Tensor& large, int64_t* s) {
  const int64_t nd_pad = 5 - large.dim();  // spatial dims padded in front to 3
  for (int i = 0; i < 3; ++i) s[i] = i < nd_pad ? 0 : large.strides()[2 + i - nd_pad];
}

template <class T>
void forward_impl(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                  const Tensor& bias) {
  const PatchGeometry& p = g.patch;
  const int64_t K = g.small_channels, m = g.small_channels_per_group(), L = p.out_volume();
  ForwardArgs a{&p, {}};
  large_strides(large, a.s);
  // Claims of about 256 KB of output, so that most planes have a next one to prefetch.
  const int64_t step = std::max<int64_t>(1, 65536 / std::max<int64_t>(L, 1));
  claim_loop(g.batch * K, step, [] { return Scratch<T>(); }, [&](int64_t b0, int64_t b1, Scratch<T>& sc) {
    for (int64_t plane = b0; plane < b1; ++plane) {
      const int64_t n = plane / K, k = plane % K;
      const T* x = large.data<T>() + n * large.strides()[0] + (k / m) * large.strides()[1];
      const T b = bias.defined() ? bias.data<T>()[k * bias.strides()[0]] : T(0);
      Ahead next;
      if (plane + 1 < b1) add_large<T>(next, 0, large, a, (plane + 1) / K, (plane + 1) % K / m);
      forward_plane(a, small.data<T>() + plane * L, x, weight.data<T>() + k * weight.strides()[0], b, sc, next);
    }
  });
}

// The transposed convolution (the forward's input gradient) gathers instead of scattering: input element
// (id, ih, iw) sums w[j, kd, kh, kw] y_j[od, oh, ow] over the taps with id + pd - kd dd = od sd (likewise for h
// and w). Along the row, the outputs iw = r + sw u of one residue r share their taps, which read y's row from
// (r + pw - kw dw) / sw on: a padded copy of y's rows (`lead` zeros in front) makes those contiguous runs.
// Where each input index along one dim gathers from: (kernel index, output index) pairs, in kernel order.
struct Hits {
  std::vector<std::pair<int64_t, int64_t>> pairs;
  std::vector<size_t> begin;  // index i's pairs are pairs[begin[i], begin[i + 1])

  // Along d or h: the output o with i + pad - k dil = o stride inside [0, out).
  Hits(const PatchGeometry& p, int dim) : begin{0} {
    for (int64_t i = 0; i < p.in[dim]; ++i) {
      for (int64_t k = 0; k < p.kernel[dim]; ++k) {
        const int64_t num = i + p.pad[dim] - k * p.dilation[dim];
        if (num >= 0 && num % p.stride[dim] == 0 && num / p.stride[dim] < p.out[dim])
          pairs.emplace_back(k, num / p.stride[dim]);
      }
      begin.push_back(pairs.size());
    }
  }
  // Along w, by residue res of the input column modulo the stride: the first output column (unbounded: the
  // padded copy of the rows reads zeros outside).
  Hits(const PatchGeometry& p) : begin{0} {
    const int64_t sw = p.stride[2];
    for (int64_t res = 0; res < std::min(sw, p.in[2]); ++res) {
      for (int64_t k = 0; k < p.kernel[2]; ++k) {
        const int64_t num = res + p.pad[2] - k * p.dilation[2];
        if ((num % sw + sw) % sw == 0) pairs.emplace_back(k, floor_div(num, sw));
      }
      begin.push_back(pairs.size());
    }
  }
};

struct TransposeArgs {
  const PatchGeometry* p;
  int64_t m, lead, len;  // multiplier; the copy's zeros in front of each row, its row length
  int64_t small_stride;  // between the m planes of y
  Hits d, h, w;
};

TransposeArgs transpose_args(const PatchGeometry& p, int64_t m, int64_t small_stride, int64_t chunk) {
  const int64_t sw = p.stride[2], pw = p.pad[2], kw_span = (p.kernel[2] - 1) * p.dilation[2];
  const int64_t lo = floor_div(pw - kw_span, sw), hi = floor_div(sw - 1 + pw, sw);
  const int64_t lead = std::max<int64_t>(0, -lo);
  const int64_t len = std::max(lead + hi + round_up((p.in[2] + sw - 1) / sw, chunk), lead + p.out[2]);
  return {&p, m, lead, len, small_stride, Hits(p, 0), Hits(p, 1), Hits(p)};
}

template <class T, int B>
KILN_ALWAYS_INLINE void transpose_plane_t(const TransposeArgs& a, T* x, const T* y, const T* w, int64_t w_stride,
                                          T bias, Scratch<T>& sc, const Ahead& next) {
  const PatchGeometry& p = *a.p;
  const int64_t rows_per_plane = p.out[0] * p.out[1], sw = p.stride[2], W = p.in[2];
  sc.rows.resize(static_cast<size_t>(a.m * rows_per_plane * a.len));
  sc.taps.resize(static_cast<size_t>(a.m * p.kernel_volume()));
  T* buf = sc.rows.data();
  for (int64_t j = 0; j < a.m; ++j)
    for (int64_t r = 0; r < rows_per_plane; ++r) {
      T* dst = buf + (j * rows_per_plane + r) * a.len;
      const T* src = y + j * a.small_stride + r * p.out[2];
      zero_run(dst, a.lead);
      copy_run<T, B>(dst + a.lead, src, p.out[2]);
      zero_run(dst + a.lead + p.out[2], a.len - a.lead - p.out[2]);
    }
  for (int64_t id = 0; id < p.in[0]; ++id)
    for (int64_t ih = 0; ih < p.in[1]; ++ih) {
      next.fetch(id * p.in[1] + ih, p.in[0] * p.in[1]);
      T* out = x + (id * p.in[1] + ih) * W;
      for (int64_t res = 0; res < std::min(sw, W); ++res) {
        int64_t count = 0;
        for (int64_t j = 0; j < a.m; ++j)
          for (size_t hd = a.d.begin[id]; hd < a.d.begin[id + 1]; ++hd) {
            const auto [kd, od] = a.d.pairs[hd];
            for (size_t hh = a.h.begin[ih]; hh < a.h.begin[ih + 1]; ++hh) {
              const auto [kh, oh] = a.h.pairs[hh];
              const T* row = buf + ((j * p.out[0] + od) * p.out[1] + oh) * a.len + a.lead;
              const T* wr = w + j * w_stride + (kd * p.kernel[1] + kh) * p.kernel[2];
              for (size_t hw = a.w.begin[res]; hw < a.w.begin[res + 1]; ++hw) {
                const auto [kw, first] = a.w.pairs[hw];
                sc.taps[count++] = {row + first, wr[kw]};
              }
            }
          }
        taps_row<T, B>(out + res, sw, (W - res + sw - 1) / sw, sc.taps.data(), count, bias);
      }
    }
}
KILN_SIMD void transpose_plane(const TransposeArgs& a, float* x, const float* y, const float* w, int64_t ws, float b,
                               Scratch<float>& sc, const Ahead& next) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { transpose_plane_t<float, B>(a, x, y, w, ws, b, sc, next); });
}
KILN_SIMD void transpose_plane(const TransposeArgs& a, double* x, const double* y, const double* w, int64_t ws,
                               double b, Scratch<double>& sc, const Ahead& next) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { transpose_plane_t<double, B>(a, x, y, w, ws, b, sc, next); });
}

// The small side's planes (n, k0 .. k0 + count), each dense, as rows to prefetch.
template <class T>
void add_small(Ahead& ahead, int i, const Tensor& small, const PatchGeometry& p, int64_t n, int64_t k0, int64_t count) {
  ahead.add(i, small.data<T>() + n * small.strides()[0] + k0 * small.strides()[1], count, p.out_rows(),
            small.strides()[1], p.out[2], p.out[2], true);
}

template <class T>
void transpose_impl(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                    const Tensor& bias) {
  const PatchGeometry& p = g.patch;
  const int64_t C = g.large_channels, m = g.small_channels_per_group(), V = p.in_volume();
  const int64_t chunk = chunk_of<T>((p.in[2] + p.stride[2] - 1) / p.stride[2]);
  const TransposeArgs a = transpose_args(p, m, small.strides()[1], chunk);
  const int64_t step = std::max<int64_t>(1, 65536 / std::max<int64_t>(V, 1));
  claim_loop(g.batch * C, step, [] { return Scratch<T>(); }, [&](int64_t b0, int64_t b1, Scratch<T>& sc) {
    for (int64_t plane = b0; plane < b1; ++plane) {
      const int64_t n = plane / C, c = plane % C;
      const T* y = small.data<T>() + n * small.strides()[0] + c * m * small.strides()[1];
      const T b = bias.defined() ? bias.data<T>()[c * bias.strides()[0]] : T(0);
      Ahead next;
      if (plane + 1 < b1) add_small<T>(next, 0, small, p, (plane + 1) / C, (plane + 1) % C * m, m);
      transpose_plane(a, large.data<T>() + plane * V, y, weight.data<T>() + c * m * weight.strides()[0],
                      weight.strides()[0], b, sc, next);
    }
  });
}

// v with its lanes from m on set to zero.
template <class T, int B>
KILN_ALWAYS_INLINE Wide<T, B> first_lanes(Wide<T, B> v, int64_t m) {
  using V = Wide<T, B>;
  using I = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
  typedef I ipart __attribute__((vector_size(B)));
  ipart lane;
  for (int64_t j = 0; j < V::kPartLanes; ++j) lane[j] = static_cast<I>(j);
  for (int i = 0; i < V::kParts; ++i) v.p[i] = lane + static_cast<I>(i * V::kPartLanes) < static_cast<I>(m) ? v.p[i] : 0;
  return v;
}

// The weight gradient: dw[k, tap] sums y[n, k, o] x[n, c, o's input under tap] over samples and outputs. Each
// tap keeps 64 bytes of lanes across the rows and samples of a channel (lane i % lanes takes output column i),
// added up once at the end in lane order; a row's last partial vector adds zeros past the row's end (selected,
// so that an infinite input past what a tap reads cannot make 0 * inf).
template <class T, int B>
KILN_ALWAYS_INLINE void weight_grad_plane_t(const ForwardArgs& a, T* lanes, const T* y, const T* x, Scratch<T>& sc,
                                            const Ahead& next) {
  using V = Wide<T, B>;
  const PatchGeometry& p = *a.p;
  const PhaseRows rows(p, V::kLanes);
  sc.rows.resize(static_cast<size_t>(rows.size(p)));
  rows.fill<T, B>(sc.rows.data(), p, x, a.s);
  rows.columns(p, sc.columns);
  const int64_t n = p.out[2], whole = n / V::kLanes * V::kLanes;
  for (int64_t od = 0; od < p.out[0]; ++od)
    for (int64_t oh = 0; oh < p.out[1]; ++oh) {
      next.fetch(od * p.out[1] + oh, p.out_rows());
      const T* yr = y + (od * p.out[1] + oh) * n;
      T y_tail[V::kLanes] = {};
      for (int64_t i = whole; i < n; ++i) y_tail[i - whole] = yr[i];
      forward_taps(p, od, oh, [&](int64_t r, int64_t widx, int64_t kw) KILN_INLINE_LAMBDA {
        const T* src = sc.rows.data() + r * rows.row + sc.columns[static_cast<size_t>(kw)];
        V acc = V::load(lanes + widx * V::kLanes);
        for (int64_t i = 0; i < whole; i += V::kLanes) acc += V::load(yr + i) * V::load(src + i);
        if (whole < n) acc += first_lanes(V::load(y_tail) * V::load(src + whole), n - whole);
        acc.store(lanes + widx * V::kLanes);
      });
    }
}
KILN_SIMD void weight_grad_plane(const ForwardArgs& a, float* lanes, const float* y, const float* x,
                                 Scratch<float>& sc, const Ahead& next) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA {
    weight_grad_plane_t<float, B>(a, lanes, y, x, sc, next);
  });
}
KILN_SIMD void weight_grad_plane(const ForwardArgs& a, double* lanes, const double* y, const double* x,
                                 Scratch<double>& sc, const Ahead& next) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA {
    weight_grad_plane_t<double, B>(a, lanes, y, x, sc, next);
  });
}

template <class T>
void weight_grad_impl(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small) {
  const PatchGeometry& p = g.patch;
  const int64_t K = g.small_channels, m = g.small_channels_per_group(), kv = p.kernel_volume();
  constexpr int64_t kLanes = 64 / sizeof(T);
  ForwardArgs a{&p, {}};
  large_strides(large, a.s);
  // A claim takes a few channels and walks them sample by sample: their planes lie side by side in memory, one
  // run for the prefetchers (a channel alone is a plane of a few KB every sample, read at the memory's latency).
  const int64_t step = std::clamp<int64_t>(K / (4 * get_num_threads()), 1, 8);
  claim_loop(K, step, [] { return Scratch<T>(); }, [&](int64_t k0, int64_t k1, Scratch<T>& sc) {
    std::vector<T> lanes(static_cast<size_t>((k1 - k0) * kv * kLanes), T(0));  // 64 bytes a tap
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t k = k0; k < k1; ++k) {
        const T* x = large.data<T>() + n * large.strides()[0] + (k / m) * large.strides()[1];
        const int64_t next_n = k + 1 < k1 ? n : n + 1, next_k = k + 1 < k1 ? k + 1 : k0;
        Ahead next;
        if (next_n < g.batch) {
          add_small<T>(next, 0, small, p, next_n, next_k, 1);
          add_large<T>(next, 1, large, a, next_n, next_k / m);
        }
        weight_grad_plane(a, lanes.data() + (k - k0) * kv * kLanes,
                          small.data<T>() + n * small.strides()[0] + k * small.strides()[1], x, sc, next);
      }
    for (int64_t k = k0; k < k1; ++k) {
      const T* l = lanes.data() + (k - k0) * kv * kLanes;
      T* dw = grad_weight.data<T>() + k * kv;
      for (int64_t widx = 0; widx < kv; ++widx) {
        T sum = 0;
        for (int64_t j = 0; j < kLanes; ++j) sum += l[widx * kLanes + j];
        dw[widx] = sum;
      }
    }
  });
}

}  // namespace

bool is_depthwise(const ConvGeometry& g) { return g.groups > 1 && g.large_channels == g.groups; }

void depthwise_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                       const Tensor& bias) {
  dispatch_float(small.dtype(), "depthwise conv forward", [&](auto tag) { forward_impl<decltype(tag)>(g, small, large, weight, bias); });
}

void depthwise_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                         const Tensor& bias) {
  dispatch_float(large.dtype(), "depthwise conv transpose", [&](auto tag) { transpose_impl<decltype(tag)>(g, large, small, weight, bias); });
}

void depthwise_weight_grad(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small) {
  dispatch_float(grad_weight.dtype(), "depthwise conv weight gradient",
                 [&](auto tag) { weight_grad_impl<decltype(tag)>(g, grad_weight, large, small); });
}

}  // namespace kiln::cpu
