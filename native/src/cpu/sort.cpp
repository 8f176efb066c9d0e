// Sorting and selection along a dim, and unique. Each line is copied into (value, index) pairs, ordered by
// std algorithms under one total order (value, NaN above all numbers, then index) and written back; so a
// plain std::sort is stable, and selection (nth_element) is deterministic.
#include "cpu/sort.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

#include "cpu/dispatch.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

// a < b with NaN above every number; NaNs are equivalent among themselves.
template <class T>
bool value_less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return a < b || (b != b && a == a);
  else return a < b;
}

template <class T>
using Pair = std::pair<T, int64_t>;

template <class T>
struct Ascending {
  bool operator()(const Pair<T>& a, const Pair<T>& b) const {
    return value_less(a.first, b.first) || (!value_less(b.first, a.first) && a.second < b.second);
  }
};
template <class T>
struct Descending {  // equal values still by ascending index: a stable descending sort
  bool operator()(const Pair<T>& a, const Pair<T>& b) const {
    return value_less(b.first, a.first) || (!value_less(a.first, b.first) && a.second < b.second);
  }
};

// The lines of `in` along dim with their outputs (values and indices), as (value, index) pairs.
struct Lines {
  Tensor values, indices, in;
  int64_t dim, n, vs, is, xs;
  Lines(const Tensor& v, const Tensor& i, const Tensor& x, int64_t d)
      : values(as_line(v)), indices(as_line(i)), in(as_line(x)), dim(d), n(in.shape()[d]),
        vs(values.strides()[d]), is(indices.strides()[d]), xs(in.strides()[d]) {}

  // fn(const T* line, std::vector<Pair<T>>& scratch, T* values_out, int64_t* indices_out) for each line (its
  // elements at stride xs), in parallel.
  template <class T, class Fn>
  void each_unpaired(Fn&& fn) const {
    LineLoop<3> loop({&values, &indices, &in}, dim);
    T* vb = values.data<T>();
    int64_t* ib = indices.data<int64_t>();
    const T* xb = in.data<T>();
    parallel_blocks(loop.lines(), row_block(loop.lines(), n, std::max<int64_t>(1, kGrainCostly / std::max<int64_t>(1, n))),
                    [&](int64_t b, int64_t e) {
                      std::vector<Pair<T>> scratch;
                      loop.range(b, e, [&](const int64_t* off) { fn(xb + off[2], scratch, vb + off[0], ib + off[1]); });
                    });
  }

  // fn(std::vector<Pair<T>>& line, T* values_out, int64_t* indices_out) for each line, in parallel.
  template <class T, class Fn>
  void each(Fn&& fn) const {
    each_unpaired<T>([&](const T* x, std::vector<Pair<T>>& line, T* v, int64_t* ix) {
      line.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) line[i] = {x[i * xs], i};
      fn(line, v, ix);
    });
  }
};

// Whether a value could enter a top-k whose current worst value is bar (its index is larger than every index in
// the top-k, so a tie loses): for the largest, above bar (NaN above every number); for the smallest, below it.
// As 0 or 1, with & and | rather than && and ||.
template <bool Largest, class T>
KILN_ALWAYS_INLINE int beats(T x, T bar) {
  const T lo = Largest ? bar : x, hi = Largest ? x : bar;  // value_less(lo, hi)
  if constexpr (std::is_floating_point_v<T>) return int(lo < hi) | (int(hi != hi) & int(lo == lo));
  else return int(lo < hi);
}

// The first k of a line, sorted (largest: under Descending), as std::partial_sort over the line's (value, index)
// pairs gives them, without building the pairs: a heap of the best k so far (its front the worst of them, replaced
// and sifted down once per entry), and blocks of 16 values of which none can enter skipped after a pass of
// compares. topk(10) over the rows of a 4096 x 4096 float32 tensor: 18.2 -> 11.4 ms on two threads, where
// partial_sort copied every line into pairs first (over its columns 59 -> 44 ms); topk(1000) 363 -> 327 ms.
// Not a KILN_SIMD function: GCC 12.2 at -O2 miscompiles it under `flatten` once two instantiations (float with
// int64 or double) and std::sort_heap are inlined into one body, at every ISA (wrong values and indices); any of
// -fno-strict-aliasing, -fno-tree-loop-im, -fno-tree-ch or a sanitizer hides it. test_sort's long lines catch it.
template <bool Largest, class T>
void top_k_line(const T* x, int64_t xs, int64_t n, int64_t k, Pair<T>* heap) {
  using Cmp = std::conditional_t<Largest, Descending<T>, Ascending<T>>;
  const Cmp cmp;
  for (int64_t i = 0; i < k; ++i) heap[i] = {x[i * xs], i};
  std::make_heap(heap, heap + k, cmp);
  constexpr int64_t kBlock = 16;
  int64_t i = k;
  while (i < n) {
    if (xs == 1 && i + kBlock <= n) {
      const T bar = heap[0].first;
      int hits = 0;
      for (int64_t j = 0; j < kBlock; ++j) hits += beats<Largest>(x[i + j], bar);
      if (hits == 0) {
        i += kBlock;
        continue;
      }
    }
    const int64_t end = xs == 1 ? std::min(n, i + kBlock) : i + 1;
    for (; i < end; ++i) {
      const Pair<T> p{x[i * xs], i};
      if (!cmp(p, heap[0])) continue;
      int64_t at = 0;  // p replaces the front, sifted down once
      for (int64_t c; (c = 2 * at + 1) < k; at = c) {
        if (c + 1 < k && cmp(heap[c], heap[c + 1])) ++c;
        if (!cmp(p, heap[c])) break;
        heap[at] = heap[c];
      }
      heap[at] = p;
    }
  }
  std::sort_heap(heap, heap + k, cmp);
}

template <class T>
void top_k_typed(const void* x, int64_t xs, int64_t n, int64_t k, bool largest, void* heap) {
  if (largest) top_k_line<true>(static_cast<const T*>(x), xs, n, k, static_cast<Pair<T>*>(heap));
  else top_k_line<false>(static_cast<const T*>(x), xs, n, k, static_cast<Pair<T>*>(heap));
}

void top_k_any(DType t, const void* x, int64_t xs, int64_t n, int64_t k, bool largest, void* heap) {
  switch (t) {
    case DType::Int64: return top_k_typed<int64_t>(x, xs, n, k, largest, heap);
    case DType::Int32: return top_k_typed<int32_t>(x, xs, n, k, largest, heap);
    case DType::Int16: return top_k_typed<int16_t>(x, xs, n, k, largest, heap);
    case DType::Int8: return top_k_typed<int8_t>(x, xs, n, k, largest, heap);
    case DType::UInt8: return top_k_typed<uint8_t>(x, xs, n, k, largest, heap);
    case DType::Float32: return top_k_typed<float>(x, xs, n, k, largest, heap);
    case DType::Float64: return top_k_typed<double>(x, xs, n, k, largest, heap);
    default: fail(ErrorKind::Internal, "topk kernel: no path for ", dtype_name(t));
  }
}

template <class Fn>
void with_type(DType t, Fn&& fn) {
  dispatch_with_narrow_ints(t, [&](auto tag) { fn(tag); });
}

}  // namespace

void sort_kernel(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim, bool descending) {
  if (in.numel() == 0) return;
  const Lines lines(values, indices, in, dim);
  with_type(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    lines.each<T>([&](std::vector<Pair<T>>& line, T* v, int64_t* ix) {
      if (descending) std::sort(line.begin(), line.end(), Descending<T>{});
      else std::sort(line.begin(), line.end(), Ascending<T>{});
      for (int64_t i = 0; i < lines.n; ++i) {
        v[i * lines.vs] = line[i].first;
        ix[i * lines.is] = line[i].second;
      }
    });
  });
}

void topk_kernel(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim, int64_t k, bool largest) {
  if (values.numel() == 0) return;
  const Lines lines(values, indices, in, dim);
  with_type(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      lines.each<T>([&](std::vector<Pair<T>>& line, T* v, int64_t* ix) {
        if (largest) std::partial_sort(line.begin(), line.begin() + k, line.end(), Descending<T>{});
        else std::partial_sort(line.begin(), line.begin() + k, line.end(), Ascending<T>{});
        for (int64_t i = 0; i < k; ++i) {
          v[i * lines.vs] = line[i].first;
          ix[i * lines.is] = line[i].second;
        }
      });
    } else {
      lines.each_unpaired<T>([&](const T* x, std::vector<Pair<T>>& best, T* v, int64_t* ix) {
        best.resize(static_cast<size_t>(k));
        top_k_any(in.dtype(), x, lines.xs, lines.n, k, largest, best.data());
        for (int64_t i = 0; i < k; ++i) {
          v[i * lines.vs] = best[i].first;
          ix[i * lines.is] = best[i].second;
        }
      });
    }
  });
}

void select_kernel(SelectKind kind, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim,
                   int64_t k) {
  if (values.numel() == 0) return;
  const Lines lines(values, indices, in, dim);
  with_type(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    lines.each<T>([&](std::vector<Pair<T>>& line, T* v, int64_t* ix) {
      const auto first_nan = std::find_if(line.begin(), line.end(), [](const Pair<T>& p) { return is_nan(p.first); });
      int64_t rank = k;
      if (kind != SelectKind::Kth) {
        const int64_t nans = kind == SelectKind::NanMedian
            ? std::count_if(line.begin(), line.end(), [](const Pair<T>& p) { return is_nan(p.first); }) : 0;
        if (first_nan != line.end() && (kind == SelectKind::Median || nans == lines.n)) {
          *v = first_nan->first;
          *ix = first_nan->second;
          return;
        }
        rank = (lines.n - nans - 1) / 2;
      }
      std::nth_element(line.begin(), line.begin() + rank, line.end(), Ascending<T>{});
      *v = line[rank].first;
      *ix = line[rank].second;
    });
  });
}

// The mode from a sorted copy of the line's values alone (sorting (value, index) pairs took 1.6x PyTorch's time:
// 4096 rows of 1024 integers, 100 ms), then its index: the last position holding that value, the last of its group
// in the pairs' order. NaNs are each their own group, so the mode is NaN only for a line of NaNs: its first.
void mode_kernel(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {
  if (values.numel() == 0) return;
  const Lines lines(values, indices, in, dim);
  with_type(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = lines.n, xs = lines.xs;
    lines.each_unpaired<T>([&](const T* x, std::vector<Pair<T>>&, T* v, int64_t* ix) {
      thread_local std::vector<T> sorted;
      sorted.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) sorted[static_cast<size_t>(i)] = x[i * xs];
      std::sort(sorted.begin(), sorted.end(), [](T a, T b) { return value_less(a, b); });
      int64_t best = 0, run = 0;
      T mode = sorted[0];
      for (int64_t i = 0; i < n; ++i) {
        ++run;
        if (i + 1 == n || !(sorted[i] == sorted[i + 1])) {  // the end of a group (NaN: its own)
          if (run > best) best = run, mode = sorted[i];
          run = 0;
        }
      }
      int64_t at = 0;
      if (is_nan(mode)) {
        while (!is_nan(x[at * xs])) ++at;
      } else {
        at = n - 1;
        while (!(x[at * xs] == mode)) --at;
      }
      *v = x[at * xs];
      *ix = at;
    });
  });
}

namespace {

// The distinct values of x[0..n) by an open-addressing hash table, while there are at most `limit` of them: the
// sort below of n (value, index) pairs took 426 ms for 4M elements of 100 values (PyTorch 1.13: 8 ms, a hash set
// as well). Each distinct value keeps its first occurrence (so -0 or 0, whichever comes first, as the stable sort
// does); NaNs, all distinct, follow the numbers in index order. r.inverse empty: no ids are written. Returns false,
// having written nothing, past the limit.
template <class T>
bool unique_by_hash(const T* x, int64_t n, int64_t limit, Unique& r, const Tensor& in) {
  using Bits = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
  int64_t capacity = 64;
  std::vector<T> keys(capacity);
  std::vector<int64_t> slots(capacity, -1);  // the id of each slot's value, -1 when empty
  std::vector<T> firsts;
  std::vector<int64_t> counts;
  // ids in order of first occurrence, NaN -1, ranked at the end
  int64_t* ids = r.inverse.numel() > 0 ? r.inverse.data<int64_t>() : nullptr;
  int64_t nans = 0;
  auto slot_of = [&](T v) {
    const T canonical = v == T(0) ? T(0) : v;  // -0 == 0: one hash
    Bits bits = 0;
    std::memcpy(&bits, &canonical, sizeof(T) < sizeof(Bits) ? sizeof(T) : sizeof(Bits));
    uint64_t h = (static_cast<uint64_t>(bits) + 1) * 0x9E3779B97F4A7C15ull;
    int64_t i = static_cast<int64_t>(h >> 40) & (capacity - 1);
    while (slots[i] >= 0 && !(keys[i] == v)) i = (i + 1) & (capacity - 1);
    return i;
  };
  for (int64_t j = 0; j < n; ++j) {
    const T v = x[j];
    if (is_nan(v)) {
      if (ids) ids[j] = -1;
      ++nans;
      continue;
    }
    int64_t i = slot_of(v);
    if (slots[i] < 0) {
      if (static_cast<int64_t>(firsts.size()) >= limit) return false;
      if (2 * (static_cast<int64_t>(firsts.size()) + 1) > capacity) {  // at most half full
        capacity *= 4;
        keys.assign(capacity, T());
        slots.assign(capacity, -1);
        for (int64_t id = 0; id < static_cast<int64_t>(firsts.size()); ++id) {
          const int64_t k = slot_of(firsts[id]);
          keys[k] = firsts[id];
          slots[k] = id;
        }
        i = slot_of(v);
      }
      keys[i] = v;
      slots[i] = static_cast<int64_t>(firsts.size());
      firsts.push_back(v);
      counts.push_back(0);
    }
    if (ids) ids[j] = slots[i];
    ++counts[slots[i]];
  }
  const int64_t d = static_cast<int64_t>(firsts.size());
  std::vector<int64_t> order(static_cast<size_t>(d)), rank(static_cast<size_t>(d));
  std::iota(order.begin(), order.end(), int64_t(0));
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return firsts[a] < firsts[b]; });
  r.values = Tensor::empty({d + nans}, in.dtype(), in.device());
  r.counts = Tensor::empty({d + nans}, DType::Int64, in.device());
  T* values = r.values.data<T>();
  int64_t* out_counts = r.counts.data<int64_t>();
  for (int64_t k = 0; k < d; ++k) {
    rank[order[k]] = k;
    values[k] = firsts[order[k]];
    out_counts[k] = counts[order[k]];
  }
  int64_t next_nan = d;
  if (ids) {
    for (int64_t j = 0; j < n; ++j) {
      if (ids[j] >= 0) {
        ids[j] = rank[ids[j]];
      } else {
        values[next_nan] = x[j];
        out_counts[next_nan] = 1;
        ids[j] = next_nan++;
      }
    }
  } else {
    for (int64_t j = 0; next_nan < d + nans; ++j)
      if (is_nan(x[j])) {
        values[next_nan] = x[j];
        out_counts[next_nan++] = 1;
      }
  }
  return true;
}

}  // namespace

Unique unique_kernel(const Tensor& in, bool with_inverse) {
  const int64_t n = in.numel();
  Unique r;
  r.inverse = Tensor::empty(with_inverse ? in.shape() : Shape{0}, DType::Int64, in.device());
  with_type(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    // in is contiguous (the op makes it so): its flat order is row-major.
    const T* x = in.data<T>();
    // Hashing pays while the distinct values are few against n (each costs a sort of them at the end).
    if constexpr (std::is_arithmetic_v<T>)
      if (unique_by_hash(x, n, std::max<int64_t>(1024, n / 16), r, in)) return;
    std::vector<Pair<T>> all(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) all[i] = {x[i], i};
    std::sort(all.begin(), all.end(), Ascending<T>{});
    std::vector<T> distinct;
    std::vector<int64_t> counts;
    int64_t* inverse = with_inverse ? r.inverse.data<int64_t>() : nullptr;
    for (int64_t i = 0; i < n; ++i) {
      if (i == 0 || !(all[i].first == all[i - 1].first)) {
        distinct.push_back(all[i].first);
        counts.push_back(0);
      }
      ++counts.back();
      if (inverse) inverse[all[i].second] = static_cast<int64_t>(distinct.size()) - 1;
    }
    const int64_t u = static_cast<int64_t>(distinct.size());
    r.values = Tensor::empty({u}, in.dtype(), in.device());
    r.counts = Tensor::empty({u}, DType::Int64, in.device());
    std::copy(distinct.begin(), distinct.end(), r.values.data<T>());
    std::copy(counts.begin(), counts.end(), r.counts.data<int64_t>());
  });
  return r;
}

Unique unique_rows_kernel(const Tensor& rows) {
  const int64_t n = rows.shape()[0], m = rows.shape()[1];
  Unique r;
  r.inverse = Tensor::empty({n}, DType::Int64, rows.device());
  with_type(rows.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = rows.data<T>();
    auto row_less = [&](int64_t a, int64_t b) {
      for (int64_t j = 0; j < m; ++j) {
        if (value_less(x[a * m + j], x[b * m + j])) return true;
        if (value_less(x[b * m + j], x[a * m + j])) return false;
      }
      return a < b;
    };
    auto row_equal = [&](int64_t a, int64_t b) {
      for (int64_t j = 0; j < m; ++j)
        if (!(x[a * m + j] == x[b * m + j])) return false;
      return true;
    };
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t(0));
    std::sort(order.begin(), order.end(), row_less);
    std::vector<int64_t> firsts, counts;
    int64_t* inverse = r.inverse.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      if (i == 0 || !row_equal(order[i], order[i - 1])) {
        firsts.push_back(order[i]);
        counts.push_back(0);
      }
      ++counts.back();
      inverse[order[i]] = static_cast<int64_t>(firsts.size()) - 1;
    }
    const int64_t u = static_cast<int64_t>(firsts.size());
    r.values = Tensor::empty({u, m}, rows.dtype(), rows.device());
    r.counts = Tensor::empty({u}, DType::Int64, rows.device());
    T* out = r.values.data<T>();
    for (int64_t i = 0; i < u; ++i) std::copy(x + firsts[i] * m, x + (firsts[i] + 1) * m, out + i * m);
    std::copy(counts.begin(), counts.end(), r.counts.data<int64_t>());
  });
  return r;
}

}  // namespace kiln::cpu
