// The same bits from every ISA clone. A CPU runs only the clone of each hot loop that matches it (AVX-512,
// AVX2 or baseline x86-64: cpu/simd.h), and CI builds these tests once per level (KILN_ISA, .ci/check-isa):
// the kernels that do not go through OpenBLAS (whose own kernels differ by CPU) keep the same arithmetic in
// every clone (no FMA contraction, sums in lanes of fixed width), so their outputs must hash the same on every
// build. The expected hashes are this machine's (AVX-512): a change to a kernel's arithmetic that moves them
// must update them, on purpose.
#include <cinttypes>
#include <cstdio>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::uniform;

namespace {

// FNV-1a over the bytes of a contiguous copy.
uint64_t hash_of(const Tensor& t) {
  const Tensor c = contiguous(t);
  const auto* p = static_cast<const unsigned char*>(c.raw_data());
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < static_cast<size_t>(c.numel()) * c.element_size(); ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

struct Known {
  const char* what;
  Tensor (*run)(DType);
  uint64_t float32, float64;
};

// Odd sizes, so that every vector loop runs its tail too.
Tensor rows(DType t) { return uniform({37, 301}, 11, -3, 3, t); }
Tensor images(DType t) { return uniform({3, 6, 13, 11}, 12, -3, 3, t); }

// x's gradient of sum(y * u) for a y computed from x by f.
Tensor grad_of(DType t, Tensor (*f)(const Tensor&)) {
  Tensor x = images(t);
  set_requires_grad(x, true);
  const Tensor y = f(x);
  return kiln::grad({sum(mul(y, uniform(y.shape(), 13, -1, 1, t)))}, {x})[0];
}

// Class indices for the rows of rows(): 0, 7, 14, ... modulo 301 (the long-row path), or modulo 10 for
// rows of 10 classes (the blocked path of short rows).
Tensor classes(int64_t rows, int64_t n) {
  std::vector<double> v(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) v[static_cast<size_t>(i)] = static_cast<double>(i * 7 % n);
  return test::make(v, {rows}, DType::Int64);
}

// Per-row losses and x's gradient of their sum weighted by u, for logits x.
Tensor cross_entropy_and_grad(const Tensor& logits) {
  Tensor x = logits;
  set_requires_grad(x, true);
  const Tensor loss = cross_entropy(x, classes(x.size(0), x.size(1)), {}, Reduction::None);
  const Tensor g = kiln::grad({sum(mul(loss, uniform(loss.shape(), 17, 0, 1, x.dtype())))}, {x})[0];
  return cat({detach(loss), reshape(g, {-1})}, 0);
}

// A first conv layer's shape (one input channel, 9 rows of patches): products over k = 9 in Kiln's own loop.
Tensor conv_one_channel(DType t) {
  return conv2d(uniform({2, 1, 13, 11}, 14, -3, 3, t), uniform({5, 1, 3, 3}, 15, -1, 1, t), uniform({5}, 16, -1, 1, t),
                {1, 1}, {1, 1});
}

const Known kKnown[] = {
    {"conv2d, one input channel", conv_one_channel, 0x31643309e039a151ull, 0x9af6d1ba0d14e55dull},
    {"sum over rows", [](DType t) { return sum(rows(t), {1}); },
     0xcbf1a4dc9fa156d3ull, 0x21425bd1adec3b6aull},
    {"sum over columns", [](DType t) { return sum(rows(t), {0}); },
     0x288769141bad6a83ull, 0xdb8af6b60cf8da14ull},
    {"sum of all", [](DType t) { return sum(rows(t)); },
     0x3cee0230ebc4694full, 0x77dee2b0d5531112ull},
    {"var over rows", [](DType t) { return var(rows(t), {1}); },
     0xff0116abe5f530d8ull, 0x0ce1073968cc20a7ull},
    {"logsumexp over rows", [](DType t) { return logsumexp(rows(t), {1}); },
     0x6f4ddbfce5ba7cadull, 0xe7edbecf9d01f802ull},
    {"prod, var, norms and logsumexp over columns",
     [](DType t) {
       const Tensor x = rows(t);
       return cat({prod(x, 0), var(x, {0}), vector_norm(x, 2, {0}), vector_norm(x, 1, {0}), logsumexp(x, {0})}, 0);
     },
     0xb5a7d00ca9e03130ull, 0x4f124c5bd79e2d38ull},
    {"softmax", [](DType t) { return softmax(rows(t), 1); },
     0x2670d2476033ccc3ull, 0x9e37d87632490f6aull},
    {"log_softmax", [](DType t) { return log_softmax(rows(t), 1); },
     0xcc5ce0b1eb6ab4e3ull, 0xefd7f4221a286bd1ull},
    {"cross_entropy, 301 classes", [](DType t) { return cross_entropy_and_grad(rows(t)); },
     0x958accdee9c2c624ull, 0x64dd866fe6704ac4ull},
    {"cross_entropy, 10 classes",
     [](DType t) { return cross_entropy_and_grad(uniform({37, 10}, 18, -3, 3, t)); },
     0x27620237edc4a4deull, 0xc95e3155f45c8da2ull},
    {"cumsum over columns", [](DType t) { return cumsum(rows(t), 0); },
     0x6f053f4d648701a4ull, 0x782a817e76391a46ull},
    {"exp", [](DType t) { return exp(rows(t)); },
     0x120571b242f98621ull, 0x952484f4ca06aa03ull},
    {"tanh", [](DType t) { return tanh(rows(t)); },
     0xf45391965d6ac02cull, 0x824216f8d041e948ull},
    {"sigmoid", [](DType t) { return sigmoid(rows(t)); },
     0xee027e54f86a8f84ull, 0x8c1b4ab5f8809c9dull},
    {"gelu", [](DType t) { return gelu(rows(t)); },
     0x39e796f513613c6bull, 0xdf29c69543cf3466ull},
    {"gelu tanh", [](DType t) { return gelu(rows(t), "tanh"); },
     0xdf1138e933883c08ull, 0x8b8d8e5e2d940c93ull},
    {"layer_norm", [](DType t) { return layer_norm(rows(t), {301}); },
     0x99d5f97ed4162ef9ull, 0xab9819a690d69a33ull},
    {"batch_norm", [](DType t) { return batch_norm(images(t), {}, {}, {}, {}, true); },
     0x386fabb548af8eddull, 0x0f8a4211dccd5c29ull},
    {"group_norm", [](DType t) { return group_norm(images(t), 3); },
     0x4395d0db5cd50250ull, 0xb13265ece66c568eull},
    {"max_pool2d", [](DType t) { return max_pool2d(images(t), {2, 2}); },
     0xc3e0d5b1c9125ebfull, 0x0a9bc1cbf9e847b2ull},
    {"avg_pool2d", [](DType t) { return avg_pool2d(images(t), {3, 3}, {2, 2}, {1, 1}); },
     0xba776660330cf1deull, 0x94979e602c33d386ull},
    {"layer_norm backward", [](DType t) { return grad_of(t, [](const Tensor& x) { return layer_norm(x, {13, 11}); }); },
     0xf9f48802d55cfa4aull, 0x173c00faec09047full},
    {"batch_norm backward",
     [](DType t) { return grad_of(t, [](const Tensor& x) { return batch_norm(x, {}, {}, {}, {}, true); }); },
     0xf036e71593d310a6ull, 0x6cf6f571f590b5eeull},
    {"group_norm backward", [](DType t) { return grad_of(t, [](const Tensor& x) { return group_norm(x, 2); }); },
     0xed7f58a7b99cce16ull, 0x8494975cc8854165ull},
    {"max_pool2d backward", [](DType t) { return grad_of(t, [](const Tensor& x) { return max_pool2d(x, {2, 2}); }); },
     0x44869f7aeef4f0d0ull, 0x87c53c94b4b8bae7ull},
};

}  // namespace

TEST(outputs_hash_the_same_on_every_isa) {
  bool all_same = true;
  for (const Known& k : kKnown)
    for (DType t : {DType::Float32, DType::Float64}) {
      const uint64_t got = hash_of(k.run(t)), want = t == DType::Float32 ? k.float32 : k.float64;
      if (got == want) continue;
      std::printf("      %s (%s): hash 0x%016" PRIx64 ", expected 0x%016" PRIx64 "\n", k.what, dtype_name(t), got,
                  want);
      all_same = false;
    }
  CHECK(all_same);
}
