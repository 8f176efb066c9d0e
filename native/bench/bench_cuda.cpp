// GPU timings of Kiln's CUDA device, printed as "workload<TAB>milliseconds<TAB>figure<TAB>unit" lines that
// benchmarks/cuda/run.sh sets beside PyTorch's. Each figure is the median of 20 timed runs after 5 warm-ups,
// the device synchronised around each run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "cuda_device.h"
#include "kiln/ops.h"

using namespace kiln;

namespace {

double median_ms(const std::function<void()>& f) {
  for (int i = 0; i < 5; ++i) f();
  cuda::synchronize(0);
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    cuda::synchronize(0);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void row(const char* name, double ms, double figure, const char* unit) {
  std::printf("%s\t%.4f\t%.1f\t%s\n", name, ms, figure, unit);
}

}  // namespace

int main() {
  if (cuda::device_count() == 0) {
    std::printf("no CUDA device\n");
    return 1;
  }
  const Device gpu{DeviceType::CUDA, 0};
  const Tensor a = to_device(randn({4096, 4096}), gpu), b = to_device(randn({4096, 4096}), gpu);
  const double mm_ms = median_ms([&] { (void)mm(a, b); });
  row("matmul 4096 float32", mm_ms, 2.0 * 4096 * 4096 * 4096 / mm_ms / 1e9, "TFLOP/s");
  const Tensor x = to_device(randn({1 << 24}), gpu), y = to_device(randn({1 << 24}), gpu);
  const double add_ms = median_ms([&] { (void)add(x, y); });
  row("add 16M float32", add_ms, 3.0 * 4 * (1 << 24) / add_ms / 1e6, "GB/s");
  const double relu_ms = median_ms([&] { (void)relu(x); });
  row("relu 16M float32", relu_ms, 2.0 * 4 * (1 << 24) / relu_ms / 1e6, "GB/s");
  const Tensor r = to_device(randn({4096, 4096}), gpu);
  const double sum_ms = median_ms([&] { (void)sum(r, {1}); });
  row("sum rows 4096x4096", sum_ms, 4.0 * 4096 * 4096 / sum_ms / 1e6, "GB/s");
  const double tiny_ms = median_ms([&] {
    const Tensor s = to_device(randn({1}), gpu);
    Tensor t = s;
    for (int i = 0; i < 1000; ++i) t = add(t, s);
  });
  row("1000 tiny adds", tiny_ms, tiny_ms * 1000.0 / 1000, "us/op");
  return 0;
}
