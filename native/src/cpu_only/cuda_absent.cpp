// Builds without -DKILN_CUDA=ON: no CUDA tensor can be made, and asking for one says why.
#include "backend.h"
#include "cuda_device.h"
#include "kiln/error.h"

namespace kiln::cuda {
namespace {
[[noreturn]] void absent(int index) {
  fail(ErrorKind::Device, "Kiln was built without CUDA: device cuda:", index, " is not available");
}
}  // namespace

bool built() { return false; }
int device_count() { return 0; }
void check_available(Device device) { absent(device.index); }
void* allocate(int index, size_t, size_t*) { absent(index); }
void release(int, void*, size_t) {}
MemoryStats memory_stats(int) { return {}; }
void empty_cache(int) {}
void synchronize(int) {}
void copy_bytes(void*, Device dst, const void*, Device src, size_t) { absent(dst.is_cpu() ? src.index : dst.index); }
Backend& backend(int index) { absent(index); }
bool runs_on_cuda(const OpDef&) { return false; }

}  // namespace kiln::cuda
