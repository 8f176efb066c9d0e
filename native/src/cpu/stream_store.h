// Non-temporal stores for outputs larger than the last-level cache. A normal store first reads the line it
// writes (read for ownership); an output that cannot stay in the cache until the next op reads it gains
// nothing from that read, which is a third of the memory traffic of out = a + b. Streaming stores skip it,
// as glibc's memcpy and memset do above their own threshold.
#pragma once
#include <cstdint>

namespace kiln::cpu {

constexpr int64_t kStreamChunk = 2048;  // bytes computed into scratch (in L1) and then streamed out

// The output size from which streaming stores are used: the size of the last-level cache (read from
// /sys; 32 MiB where it is not known), 64 MiB at most. Never on other architectures.
int64_t stream_threshold_bytes();
inline bool stream_output(int64_t bytes) { return bytes >= stream_threshold_bytes(); }

// A per-thread buffer of kStreamChunk bytes, aligned to 64.
char* stream_scratch();

// Copies `bytes` (a multiple of 64) from src to dst (aligned to 64) with non-temporal stores.
void stream_copy(void* dst, const void* src, int64_t bytes);

// Rows of up to kStreamRowBytes computed whole into a per-thread buffer and then streamed out (row kernels such as
// softmax, whose passes reread the row): stream_row_buffer(dst) gives a place in that buffer with dst's offset
// within 64 bytes, and stream_row_out copies the row there to dst, the lines dst shares with its neighbours by
// plain stores, the rest streamed.
constexpr int64_t kStreamRowBytes = 64 << 10;
char* stream_row_buffer(const void* dst);
void stream_row_out(void* dst, const void* src, int64_t bytes);

// Orders this thread's streaming stores before its later stores (the pool's completion flag), so that other
// threads see the data once the job ends. Once per run: a fence waits for the stores in flight to drain.
void stream_fence();

}  // namespace kiln::cpu
