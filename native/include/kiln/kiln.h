// The facade the Java bindings are generated from: JavaCPP parses this header and nothing else.
//
// Tensors cross as opaque handles (int64). Every handle a function returns belongs to the caller, who
// releases it with kiln_release; releasing drops one reference, and the tensor's memory goes when no
// handle, view or autograd graph refers to it. Ops are called by their index in the op table through a
// few generic entry points, so adding an op never changes this file.
//
// Errors are C++ exceptions (kiln::Error); the generated JNI code turns them into Java exceptions, and
// kiln_last_error_kind tells the kind of the last one raised on this thread.
#pragma once
#include <cstdint>

const char* kiln_version();
int32_t kiln_last_error_kind();

// Tensor handles.
void kiln_release(int64_t tensor);
int64_t kiln_retain(int64_t tensor);
int64_t kiln_from_float(const float* data, int64_t count, const int64_t* shape, int32_t ndim);
int64_t kiln_from_double(const double* data, int64_t count, const int64_t* shape, int32_t ndim);
int64_t kiln_from_long(const int64_t* data, int64_t count, const int64_t* shape, int32_t ndim);
int64_t kiln_from_bool(const int8_t* data, int64_t count, const int64_t* shape, int32_t ndim);
int64_t kiln_from_int(const int32_t* data, int64_t count, const int64_t* shape, int32_t ndim);
// 16-bit and 8-bit data of a given dtype: int16, or the bit patterns of float16 or bfloat16; int8, uint8 or bool.
int64_t kiln_from_short(const int16_t* data, int64_t count, const int64_t* shape, int32_t ndim, int32_t dtype);
int64_t kiln_from_byte(const int8_t* data, int64_t count, const int64_t* shape, int32_t ndim, int32_t dtype);
// Elements of any dtype from their raw little-endian bytes (nbytes = numel * item size), as serialized files hold them.
int64_t kiln_from_bytes(const int8_t* data, int64_t nbytes, const int64_t* shape, int32_t ndim, int32_t dtype);
// A 0-dim tensor: value for floating dtypes, ivalue for int64 and bool; wrapped marks a Java scalar.
int64_t kiln_scalar(double value, int64_t ivalue, int32_t dtype, int32_t wrapped);

// Tensor metadata.
int32_t kiln_dim(int64_t tensor);
int64_t kiln_numel(int64_t tensor);
int32_t kiln_dtype(int64_t tensor);
int32_t kiln_device_type(int64_t tensor);
int32_t kiln_device_index(int64_t tensor);
void kiln_shape(int64_t tensor, int64_t* out);
void kiln_strides(int64_t tensor, int64_t* out);
int64_t kiln_storage_offset(int64_t tensor);
int64_t kiln_data_address(int64_t tensor);
int32_t kiln_is_contiguous(int64_t tensor);

// Tensor data, converted to the requested type, in row-major order.
void kiln_read_float(int64_t tensor, float* out, int64_t count);
void kiln_read_double(int64_t tensor, double* out, int64_t count);
void kiln_read_long(int64_t tensor, int64_t* out, int64_t count);
void kiln_read_bool(int64_t tensor, int8_t* out, int64_t count);
void kiln_read_int(int64_t tensor, int32_t* out, int64_t count);
// The elements' raw bytes in the tensor's own dtype, row-major (nbytes = numel * item size).
void kiln_read_bytes(int64_t tensor, int8_t* out, int64_t nbytes);

// Ops. A frame packs a call's arguments: [n, tensor handles..., n, ints..., n, reals as IEEE bits...].
int32_t kiln_op_count();
const char* kiln_op_name(int32_t op);
const char* kiln_op_signature(int32_t op);
int32_t kiln_op_id(const char* name);
// 1 when the op has a derivative (its own, or through the ops it is composed of).
int32_t kiln_op_differentiable(int32_t op);
int32_t kiln_call(int32_t op, const int64_t* frame, int32_t frame_length, int64_t* outputs, int32_t max_outputs);
int64_t kiln_call1(int32_t op, int64_t a);
int64_t kiln_call2(int32_t op, int64_t a, int64_t b);
// op(a, scalar): the scalar is value (dtype Float64), ivalue (Int64) or ivalue != 0 (Bool), by scalar_dtype.
int64_t kiln_call_scalar(int32_t op, int64_t a, double value, int64_t ivalue, int32_t scalar_dtype);
// In-place forms: the first tensor of the call is overwritten with the result.
void kiln_call_inplace(int32_t op, const int64_t* frame, int32_t frame_length);
void kiln_call_inplace2(int32_t op, int64_t self, int64_t b);
void kiln_call_inplace_scalar(int32_t op, int64_t self, double value, int64_t ivalue, int32_t scalar_dtype);

// Autograd. Tensors flags and gradients.
void kiln_set_requires_grad(int64_t tensor, int32_t requires_grad);
int32_t kiln_requires_grad(int64_t tensor);
int32_t kiln_is_leaf(int64_t tensor);
int64_t kiln_grad(int64_t tensor);               // 0 when there is none
void kiln_set_grad(int64_t tensor, int64_t grad);  // grad 0 clears it
// The name of the node that made the tensor ("MulBackward0"), or "" for leaves.
const char* kiln_grad_fn_name(int64_t tensor);
int32_t kiln_version(int64_t tensor);
int64_t kiln_detach(int64_t tensor);
// tensor takes src's memory and layout, keeping its identity and flags (PyTorch's `tensor.data = src`).
void kiln_set_data(int64_t tensor, int64_t src);
void kiln_detach_(int64_t tensor);
void kiln_retain_grad(int64_t tensor);
int32_t kiln_retains_grad(int64_t tensor);
int32_t kiln_is_inference(int64_t tensor);
// backward over n outputs; grads holds one handle per output, 0 for the implicit 1.
void kiln_backward(const int64_t* outputs, const int64_t* grads, int32_t n, int32_t retain_graph, int32_t create_graph);
// Autograd.grad: results receives one handle per input (0 for an unused input with allow_unused).
void kiln_autograd_grad(const int64_t* outputs, const int64_t* grads, int32_t n_outputs, const int64_t* inputs,
                        int32_t n_inputs, int32_t retain_graph, int32_t create_graph, int32_t allow_unused,
                        int64_t* results);

// Thread-local modes.
void kiln_set_grad_enabled(int32_t enabled);
int32_t kiln_is_grad_enabled();
void kiln_set_inference_mode(int32_t enabled);
int32_t kiln_is_inference_mode();
void kiln_set_anomaly_enabled(int32_t enabled);
int32_t kiln_is_anomaly_enabled();

// Callbacks into Java, set once when the Java side starts. A hook gets (hook id, gradient handle) and
// returns a replacement handle, 0 to keep the gradient, or -1 after an exception (which the Java side
// keeps and rethrows). A custom Function's backward gets the gradients of its outputs and its saved
// tensors, writes one handle per input (0: none) and returns the count, or -1. release tells Java that
// a hook or Function id is no longer referenced. trace writes the Java stack of the current call.
typedef int64_t (*kiln_hook_callback)(int64_t hook, int64_t grad);
typedef int32_t (*kiln_function_callback)(int64_t function, const int64_t* grads, int32_t n_grads, const int64_t* saved,
                                          int32_t n_saved, int64_t* results, int32_t n_results);
typedef void (*kiln_release_callback)(int64_t id);
typedef int32_t (*kiln_trace_callback)(int8_t* buffer, int32_t capacity);
void kiln_set_callbacks(kiln_hook_callback hook, kiln_function_callback function, kiln_release_callback release,
                        kiln_trace_callback trace);
// Registers Java hook `hook` on the tensor; returns the id to remove it with.
int64_t kiln_register_hook(int64_t tensor, int64_t hook);
void kiln_remove_hook(int64_t tensor, int64_t id);
// Records a custom Function call: the outputs get a node whose backward calls Java function `function`.
void kiln_function_record(int64_t function, const char* name, const int64_t* inputs, int32_t n_inputs,
                          const int64_t* outputs, int32_t n_outputs, const int64_t* saved, int32_t n_saved);

// Memory: out receives live bytes, cached bytes, peak live bytes, live blocks, live tensors.
void kiln_memory_stats(int64_t* out);
void kiln_empty_cache();

// CUDA: whether this build has it (1/0), how many GPUs the driver shows (0 without a driver), and per device:
// waiting for queued kernels, the caching allocator's figures (out: live, cached, peak live bytes, live blocks)
// and emptying its cache. Which ops run on a GPU (the others refuse CUDA tensors).
int32_t kiln_cuda_built();
int32_t kiln_cuda_device_count();
void kiln_cuda_synchronize(int32_t device);
void kiln_cuda_memory_stats(int32_t device, int64_t* out);
void kiln_cuda_empty_cache(int32_t device);
int32_t kiln_op_runs_on_cuda(int32_t op);
void kiln_set_cache_limit(int64_t bytes);

// Threads and random numbers.
int32_t kiln_get_num_threads();
void kiln_set_num_threads(int32_t threads);
// The OpenBLAS kernels in use ("SkylakeX", "Haswell", ...): picked for the CPU, see native/src/cpu/matmul.cpp.
const char* kiln_blas_core();
void kiln_manual_seed(int64_t seed);
int64_t kiln_generator_new(int64_t seed);
void kiln_generator_release(int64_t generator);
void kiln_generator_manual_seed(int64_t generator, int64_t seed);
int64_t kiln_generator_seed(int64_t generator);
