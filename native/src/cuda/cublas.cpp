// cuBLAS through dlopen (cublas.h says why). The row-major product out = a @ b is the column-major product
// out^T = b^T @ a^T, so b goes first.
#include "cuda/cublas.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "cuda/runtime.h"

namespace kiln::cuda::cublas {
namespace {

using Handle = void*;
using Status = int;  // CUBLAS_STATUS_SUCCESS is 0
constexpr int kOpN = 0, kOpT = 1;

struct Api {
  Status (*create)(Handle*) = nullptr;
  Status (*set_stream)(Handle, cudaStream_t) = nullptr;
  Status (*sgemm)(Handle, int, int, int, int, int, const float*, const float*, int, long long, const float*, int,
                  long long, const float*, float*, int, long long, int) = nullptr;
  Status (*dgemm)(Handle, int, int, int, int, int, const double*, const double*, int, long long, const double*, int,
                  long long, const double*, double*, int, long long, int) = nullptr;
  Handle handle[64] = {};
  bool ok = false;
};

Api& api() {
  static Api a;
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = std::getenv("KILN_CUBLAS");
    if (env && std::strcmp(env, "0") == 0) return;
    void* lib = nullptr;
    for (const char* name : {"libcublas.so.13", "libcublas.so.12", "libcublas.so"})
      if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
    if (lib == nullptr) return;
    a.create = reinterpret_cast<decltype(a.create)>(dlsym(lib, "cublasCreate_v2"));
    a.set_stream = reinterpret_cast<decltype(a.set_stream)>(dlsym(lib, "cublasSetStream_v2"));
    a.sgemm = reinterpret_cast<decltype(a.sgemm)>(dlsym(lib, "cublasSgemmStridedBatched"));
    a.dgemm = reinterpret_cast<decltype(a.dgemm)>(dlsym(lib, "cublasDgemmStridedBatched"));
    a.ok = a.create && a.set_stream && a.sgemm && a.dgemm;
  });
  return a;
}

// One handle per device, made on first use (cuBLAS's default math mode: true float32, no TF32, as PyTorch's
// default for float32 matmul).
Handle handle(Api& a, cudaStream_t s) {
  const int dev = current_device();
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  if (a.handle[dev] == nullptr && a.create(&a.handle[dev]) != 0) return nullptr;
  if (a.set_stream(a.handle[dev], s) != 0) return nullptr;
  return a.handle[dev];
}

bool fits(int64_t v) { return v >= 0 && v <= INT32_MAX; }

}  // namespace

bool available() { return api().ok; }

template <class T>
bool gemm(cudaStream_t s, int64_t batch, int64_t n, int64_t m, int64_t k, T alpha, const T* a, bool ta, int64_t lda,
          int64_t stride_a, const T* b, bool tb, int64_t ldb, int64_t stride_b, T beta, T* out, int64_t stride_out) {
  Api& api_ = api();
  if (!api_.ok || !fits(batch) || !fits(n) || !fits(m) || !fits(k) || !fits(lda) || !fits(ldb)) return false;
  const Handle h = handle(api_, s);
  if (h == nullptr) return false;
  // Column-major: out^T (m x n, ld m) = b^T (m x k) @ a^T (k x n). A row-major operand read as column-major is
  // its transpose, so a row-major b is "N" with ld = ldb, a transposed-stored one "T".
  const int opb = tb ? kOpT : kOpN, opa = ta ? kOpT : kOpN;
  Status st;
  if constexpr (sizeof(T) == 4)
    st = api_.sgemm(h, opb, opa, int(m), int(n), int(k), &alpha, b, int(ldb), stride_b, a, int(lda), stride_a, &beta, out,
                    int(m), stride_out, int(batch));
  else
    st = api_.dgemm(h, opb, opa, int(m), int(n), int(k), &alpha, b, int(ldb), stride_b, a, int(lda), stride_a, &beta, out,
                    int(m), stride_out, int(batch));
  return st == 0;
}

template bool gemm<float>(cudaStream_t, int64_t, int64_t, int64_t, int64_t, float, const float*, bool, int64_t, int64_t,
                          const float*, bool, int64_t, int64_t, float, float*, int64_t);
template bool gemm<double>(cudaStream_t, int64_t, int64_t, int64_t, int64_t, double, const double*, bool, int64_t,
                           int64_t, const double*, bool, int64_t, int64_t, double, double*, int64_t);

}  // namespace kiln::cuda::cublas
