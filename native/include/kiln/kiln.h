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

// Ops. A frame packs a call's arguments: [n, tensor handles..., n, ints..., n, reals as IEEE bits...].
int32_t kiln_op_count();
const char* kiln_op_name(int32_t op);
const char* kiln_op_signature(int32_t op);
int32_t kiln_op_id(const char* name);
int32_t kiln_call(int32_t op, const int64_t* frame, int32_t frame_length, int64_t* outputs, int32_t max_outputs);
int64_t kiln_call1(int32_t op, int64_t a);
int64_t kiln_call2(int32_t op, int64_t a, int64_t b);
// op(a, scalar): the scalar is value (dtype Float64), ivalue (Int64) or ivalue != 0 (Bool), by scalar_dtype.
int64_t kiln_call_scalar(int32_t op, int64_t a, double value, int64_t ivalue, int32_t scalar_dtype);
// In-place forms: the first tensor of the call is overwritten with the result.
void kiln_call_inplace(int32_t op, const int64_t* frame, int32_t frame_length);
void kiln_call_inplace2(int32_t op, int64_t self, int64_t b);
void kiln_call_inplace_scalar(int32_t op, int64_t self, double value, int64_t ivalue, int32_t scalar_dtype);

// Memory: out receives live bytes, cached bytes, peak live bytes, live blocks, live tensors.
void kiln_memory_stats(int64_t* out);
void kiln_empty_cache();
void kiln_set_cache_limit(int64_t bytes);

// Threads and random numbers.
int32_t kiln_get_num_threads();
void kiln_set_num_threads(int32_t threads);
void kiln_manual_seed(int64_t seed);
int64_t kiln_generator_new(int64_t seed);
void kiln_generator_release(int64_t generator);
void kiln_generator_manual_seed(int64_t generator, int64_t seed);
int64_t kiln_generator_seed(int64_t generator);
