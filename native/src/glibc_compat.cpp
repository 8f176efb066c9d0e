// Keeps the Java natives loadable on glibc 2.34. The JNI library links libstdc++ statically, and GCC 12's
// libstdc++.a references arc4random (glibc 2.36) from std::random_device, which Kiln never uses but
// which comes in with std::runtime_error's string support. This hidden definition satisfies the
// reference inside the library (the JNI link forces it in with -Wl,-u,arc4random).
#include <sys/random.h>

#include <cstdint>

extern "C" __attribute__((visibility("hidden"))) uint32_t arc4random(void) {
  uint32_t value = 0;
  while (getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
  }
  return value;
}
