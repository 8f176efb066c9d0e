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
      // softmax and its backward rows (Backend::softmax, softmax_backward).
      "softmax", "log_softmax", "_softmax_backward_data", "_log_softmax_backward_data",
      // Convolutions (Backend::conv_*: im2col + GEMM) and the composites that call them.
      "convolution", "convolution_backward_weight", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
      "conv_transpose2d", "conv_transpose3d",
      // 2-D pooling (Backend::*pool2d*) and the 1-D pools that run as 2-D ones.
      "max_pool2d_with_indices", "max_pool2d_with_indices_backward", "max_pool2d", "avg_pool2d", "avg_pool2d_backward",
      "adaptive_avg_pool2d", "adaptive_avg_pool2d_backward", "adaptive_max_pool2d", "max_pool1d", "avg_pool1d",
      "adaptive_avg_pool1d",
      // Class losses (Backend::cross_entropy, nll_loss and their backward rows).
      "cross_entropy", "cross_entropy_backward", "nll_loss", "nll_loss_backward",
      // Optimizer steps (Backend::sgd_update, adam_update).
      "sgd_step", "adam_step",
  };
  return names;
}

bool runs_on_cuda(const OpDef& op) { return cuda_op_names().count(op.name) != 0; }

}  // namespace kiln::cuda
