// The ops that run on a GPU: each listed op's forward and derivative reach only the Backend's kernels (which
// cuda_backend.cpp implements), views, and other listed ops; test_cuda.cpp and CudaOpsTest compare every one
// with the CPU. call() refuses CUDA tensors for the rest with a DeviceException naming the op.
#include <string>
#include <unordered_set>

#include "cuda_device.h"
#include "op_table.h"

namespace kiln::cuda {

const std::unordered_set<std::string>& cuda_op_names() {
  static const std::unordered_set<std::string> names = {
      // Elementwise (Backend::unary, binary, where) and the derivatives they record.
      "add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge", "neg", "exp", "log", "sqrt", "abs",
      "relu", "sigmoid", "tanh", "where", "threshold_backward", "sigmoid_backward", "tanh_backward",
      // Reductions (Backend::reduce, arg_reduce).
      "sum", "mean", "max", "min", "max_dim", "min_dim", "amax", "amin", "argmax", "argmin",
      // Views and copies.
      "view", "reshape", "transpose", "t", "permute", "slice", "narrow", "expand", "squeeze", "unsqueeze",
      "flatten", "contiguous", "_to_copy", "to", "clone", "copy_", "fill_", "zero_", "to_device",
      // Products (Backend::matmul: cuBLAS, or Kiln's tiled kernel).
      "mm", "bmm", "matmul", "mv", "dot", "outer", "addmm", "addmv", "baddbmm", "linear",
      // Indexing along a dim (Backend::gather, scatter).
      "gather", "scatter", "scatter_add", "slice_scatter",
  };
  return names;
}

bool runs_on_cuda(const OpDef& op) { return cuda_op_names().count(op.name) != 0; }

}  // namespace kiln::cuda
