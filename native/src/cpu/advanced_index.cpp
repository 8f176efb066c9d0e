// Advanced indexing kernels: index tensors become element offsets once, then one strided loop gathers
// or puts through them (PyTorch's TensorIterator index kernels, with the offsets precomputed).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "cpu/dispatch.h"
#include "cpu/indexing.h"
#include "cpu/loop.h"
#include "cpu/simd.h"
#include "thread_pool.h"

namespace kiln::cpu {

void index_offsets_kernel(const Tensor& offsets, const Tensor& index, int64_t size, int64_t stride, int64_t dim,
                          bool wrap, const char* op) {
  const int64_t lowest = wrap ? -size : 0;
  StridedLoop<2> loop({&offsets, &index});
  loop.run(
      [&](char** p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          int64_t j = *reinterpret_cast<const int64_t*>(p[1] + i * s[1]);
          KILN_CHECK(j >= lowest && j < size, Index, op, ": index ", j, " is out of bounds for dimension ", dim,
                     " with size ", size);
          if (j < 0) j += size;
          *reinterpret_cast<int64_t*>(p[0] + i * s[0]) += j * stride;
        }
      },
      kGrainCheap);
}

namespace {

// Whole rows, x[i] or x[i] = v: the index's dims lead (the table's strides there are 0, offsets dense over them)
// and pick rows of `row` dense elements of the table; `dense` (the result, or the values put) holds them in position
// order. Two positions pick the same row or disjoint ones.
struct Rows {
  int64_t positions = 0, row = 1;
};

bool as_rows(const Tensor& table, const Tensor& dense, const Tensor& offsets, Rows& r) {
  const int64_t nd = table.dim();
  int64_t k = 0;  // the leading dims: offsets move, the table does not
  while (k < nd && table.strides()[k] == 0 && offsets.strides()[k] != 0) ++k;
  if (k == 0 || !dense.is_contiguous()) return false;
  int64_t expect = 1;
  for (int64_t d = nd - 1; d >= k; --d) {  // dense trailing dims in the table, fixed offsets
    if (offsets.strides()[d] != 0 || (table.shape()[d] != 1 && table.strides()[d] != expect)) return false;
    expect *= table.shape()[d];
  }
  int64_t positions = 1;
  for (int64_t d = k - 1; d >= 0; --d) {  // offsets dense over the leading dims
    if (table.shape()[d] != 1 && offsets.strides()[d] != positions) return false;
    positions *= table.shape()[d];
  }
  r.positions = positions;
  r.row = expect;
  return r.row >= 8;
}

// The same picks along the last dim for every row (index_select(x, -1, index), x[..., index]): out dense, the
// table's rows (its leading dims, collapsed) a fixed stride apart.
struct Picks {
  int64_t rows = 1, row_stride = 0, n = 0;
};

bool as_picks(const Tensor& table, const Tensor& out, const Tensor& offsets, Picks& p) {
  const int64_t last = out.dim() - 1;
  if (last < 1 || !out.is_contiguous() || table.strides()[last] != 0 || offsets.strides()[last] != 1) return false;
  int64_t expect = -1;
  for (int64_t d = last - 1; d >= 0; --d) {
    if (offsets.strides()[d] != 0) return false;
    if (table.shape()[d] == 1) continue;
    if (expect < 0) p.row_stride = expect = table.strides()[d];
    if (table.strides()[d] != expect) return false;
    p.rows *= table.shape()[d];
    expect *= table.shape()[d];
  }
  p.n = out.shape()[last];
  return true;
}

// Each pick is a read at random within its row, which the hardware prefetchers cannot follow; the same pick in the
// next row is prefetched with it. 1024 picks from each row of [4096, 4096]: 7.2 -> 1.5 ms (PyTorch 1.13: 9.2); 64
// picks 0.45 -> 0.30 (prefetching the next row whole instead: 1.35 and 0.9).
template <class T>
void pick_along_rows(T* out, const T* table, const int64_t* offsets, const Picks& p) {
  parallel_for(p.rows, std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, p.n)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* row = table + r * p.row_stride;
      const T* next = table + std::min(r + 1, r1 - 1) * p.row_stride;
      T* o = out + r * p.n;
      for (int64_t i = 0; i < p.n; ++i) {
        __builtin_prefetch(next + offsets[i]);
        o[i] = row[offsets[i]];
      }
    }
  });
}

// Rows put by their last writer (not accumulating): a table of each target row's last position, filled in order on
// one thread, then only those rows copied, over the pool. Returns false (nothing written) where the table would be
// large against the positions.
template <class T>
bool put_last_rows(T* dst, const T* values, const int64_t* offsets, const Rows& r) {
  int64_t top = 0;
  for (int64_t p = 0; p < r.positions; ++p) top = std::max(top, offsets[p]);
  const int64_t rows = top / r.row + 1;
  if (rows > 4 * r.positions + 4096) return false;
  std::vector<int64_t> last(static_cast<size_t>(rows), -1);
  for (int64_t p = 0; p < r.positions; ++p) last[static_cast<size_t>(offsets[p] / r.row)] = p;
  parallel_for(rows, std::max<int64_t>(1, kGrainCheap / r.row), [&](int64_t r0, int64_t r1) {
    for (int64_t t = r0; t < r1; ++t) {
      const int64_t p = last[t];  // target rows are disjoint, so their offsets are a row apart or more: one slot each
      if (p >= 0)
        std::memcpy(static_cast<void*>(dst + offsets[p]), values + p * r.row, static_cast<size_t>(r.row) * sizeof(T));
    }
  });
  return true;
}

}  // namespace

void gather_rows(char* out, const char* src, const int64_t* offsets, int64_t n, size_t row_bytes, size_t unit) {
  const int64_t grain = std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, static_cast<int64_t>(row_bytes) / 4));
  parallel_for(n, grain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      if (i + kRowsAhead < i1) prefetch_row(src + static_cast<size_t>(offsets[i + kRowsAhead]) * unit, row_bytes);
      std::memcpy(out + static_cast<size_t>(i) * row_bytes, src + static_cast<size_t>(offsets[i]) * unit, row_bytes);
    }
  });
}

// Whole rows (index_select along dim 0, x[index]) are copied a row at a time, their sources prefetched: 65,536 rows
// of 64 floats from [100000, 64] took 0.9 ms in the strided loop, 0.3 ms so (PyTorch 1.13: 0.46-0.56). Elsewhere a
// run along which the offset stays over dense out and src is one copy (element by element, x[i] of 32768 rows of 64
// took 2 ms against PyTorch's 0.23-0.5).
void index_gather_kernel(const Tensor& out, const Tensor& src, const Tensor& offsets) {
  Rows rows;
  if (as_rows(src, out, offsets, rows)) {
    const size_t es = dtype_size(out.dtype());
    gather_rows(static_cast<char*>(out.raw_data()), static_cast<const char*>(src.raw_data()),
                offsets.data<int64_t>(), rows.positions, static_cast<size_t>(rows.row) * es, es);
    return;
  }
  Picks picks;
  if (as_picks(src, out, offsets, picks)) {
    dispatch_movable(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      pick_along_rows(out.data<T>(), src.data<T>(), offsets.data<int64_t>(), picks);
    });
    return;
  }
  StridedLoop<3> loop({&out, &src, &offsets});
  dispatch_movable(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          if (s[2] == 0 && s[0] == sizeof(T) && s[1] == sizeof(T)) {
            const int64_t off = *reinterpret_cast<const int64_t*>(p[2]);
            std::memcpy(p[0], reinterpret_cast<const T*>(p[1]) + off, static_cast<size_t>(n) * sizeof(T));
            return;
          }
          for (int64_t i = 0; i < n; ++i) {
            const int64_t off = *reinterpret_cast<const int64_t*>(p[2] + i * s[2]);
            *reinterpret_cast<T*>(p[0] + i * s[0]) = reinterpret_cast<const T*>(p[1] + i * s[1])[off];
          }
        },
        kGrainCheap);
  });
}


// Targets may repeat, so each thread walks every position in order but writes only the elements it owns (by the
// 4 KB page of their address): each element then gets the last value (or the sum, with accumulate) in the order
// one thread would give it, whatever the number of threads. A run along which the offset stays (whole rows picked
// by the index) is copied (or added) a page's part at a time. Element by element on one thread, 65,536 rows of 64
// into [4096, 64] took 2.9 ms (PyTorch 1.13: 0.84).
void index_put_kernel(const Tensor& dst, const Tensor& values, const Tensor& offsets, bool accumulate) {
  Rows rows;
  if (!accumulate && as_rows(dst, values, offsets, rows)) {
    bool done = false;
    dispatch_with_narrow_ints(dst.dtype(), [&](auto tag) {
      using T = decltype(tag);
      done = put_last_rows(dst.data<T>(), values.data<T>(), offsets.data<int64_t>(), rows);
    });
    if (done) return;
  }
  StridedLoop<3> loop({&values, &dst, &offsets});
  const int64_t threads = loop.numel() >= 4 * kGrainCheap ? get_num_threads() : 1;
  constexpr int kPageBits = 12;
  dispatch_with_narrow_ints(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto put = [&](T* target, const T* v, int64_t n) KILN_INLINE_LAMBDA {
      if (!accumulate) std::memcpy(static_cast<void*>(target), v, static_cast<size_t>(n) * sizeof(T));
      else add_run(target, v, n);
    };
    parallel_for(threads, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t me = t0; me < t1; ++me) {
        auto mine = [&](uintptr_t address) { return threads == 1 || static_cast<int64_t>((address >> kPageBits) % threads) == me; };
        loop.run(
            [&](char** p, const int64_t* s, int64_t n) {
              if (s[2] == 0 && s[0] == sizeof(T) && s[1] == sizeof(T)) {
                T* target = reinterpret_cast<T*>(p[1]) + *reinterpret_cast<const int64_t*>(p[2]);
                const T* v = reinterpret_cast<const T*>(p[0]);
                for (int64_t i = 0; i < n;) {  // page by page (an element never straddles one)
                  const uintptr_t at = reinterpret_cast<uintptr_t>(target + i);
                  const uintptr_t page_end = ((at >> kPageBits) + 1) << kPageBits;
                  const int64_t m = std::min<int64_t>(n - i, static_cast<int64_t>((page_end - at) / sizeof(T)));
                  if (mine(at)) put(target + i, v + i, m);
                  i += m;
                }
                return;
              }
              for (int64_t i = 0; i < n; ++i) {
                T* target = reinterpret_cast<T*>(p[1] + i * s[1]) + *reinterpret_cast<const int64_t*>(p[2] + i * s[2]);
                if (!mine(reinterpret_cast<uintptr_t>(target))) continue;
                put(target, reinterpret_cast<const T*>(p[0] + i * s[0]), 1);
              }
            },
            INT64_MAX / 4);
      }
    });
  });
}

}  // namespace kiln::cpu
