// Where a tensor's memory lives.
#pragma once
#include <cstdint>
#include <string>

namespace kiln {

// Codes are stable: Java's Device uses the same numbers.
enum class DeviceType : int32_t { CPU = 0, CUDA = 1 };

struct Device {
  DeviceType type = DeviceType::CPU;
  int32_t index = 0;

  static Device cpu() { return {}; }
  bool is_cpu() const { return type == DeviceType::CPU; }
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const;  // "cpu", "cuda:0"
};

}  // namespace kiln
