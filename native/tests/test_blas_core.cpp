// Which OpenBLAS kernels Kiln runs on: picked for the CPU whatever OPENBLAS_CORETYPE says, forced by
// KILN_BLAS_CORETYPE, and the environment left as the process got it. CMakeLists.txt runs this file twice: with
// OPENBLAS_CORETYPE=Haswell, and with KILN_BLAS_CORETYPE=Haswell as well.
#include <cblas.h>
#include <strings.h>

#include <fstream>
#include <iterator>

#include "fixtures.h"

using namespace kiln;

namespace {

// The process's environment as it started (before any static initializer could change it).
std::string initial_env(const std::string& name) {
  std::ifstream in("/proc/self/environ", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string key = name + "=";
  for (size_t at = 0; at < all.size();) {
    const size_t end = all.find('\0', at);
    const std::string entry = all.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (entry.compare(0, key.size(), key) == 0) return entry.substr(key.size());
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

std::string core() { return openblas_get_corename(); }

}  // namespace

TEST(products_are_right_on_the_chosen_kernels) {
  const Tensor a = test::uniform({70, 90}, 1), b = test::uniform({90, 50}, 2);
  const Tensor c = mm(a, b);
  const std::vector<double> va = test::values(a), vb = test::values(b), vc = test::values(c);
  for (int64_t i = 0; i < 70; ++i)
    for (int64_t j = 0; j < 50; ++j) {
      double want = 0;
      for (int64_t p = 0; p < 90; ++p) want += va[i * 90 + p] * vb[p * 50 + j];
      CHECK(test::close(vc[i * 50 + j], want, 1e-4));
    }
}

TEST(the_environment_is_left_as_it_was) {
  for (const char* name : {"OPENBLAS_CORETYPE", "KILN_BLAS_CORETYPE"}) {
    const char* now = std::getenv(name);
    CHECK_EQ(std::string(now ? now : ""), initial_env(name));
  }
}

TEST(openblas_coretype_does_not_pick_the_kernels) {
  if (std::getenv("KILN_BLAS_CORETYPE") != nullptr) return;  // the forced run checks the other rule
  const char* inherited = std::getenv("OPENBLAS_CORETYPE");
  CHECK(inherited != nullptr && std::string(inherited) == "Haswell");  // as CMakeLists.txt sets it
  // On a CPU with AVX-512, OpenBLAS's own choice is one of its AVX-512 kernels, not the Haswell ones.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    CHECK(strcasecmp(core().c_str(), "Haswell") != 0);
}

TEST(kiln_blas_coretype_forces_the_kernels) {
  const char* forced = std::getenv("KILN_BLAS_CORETYPE");
  if (forced == nullptr) return;  // the default run checks the other rule
  CHECK_EQ(core(), std::string(forced));
}
