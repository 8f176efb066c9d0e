package dev.kiln;

/**
 * A snapshot of the native allocator. Tensors of at most 64 bytes keep their data inside their native storage
 * object, not in the allocator's blocks: they count in liveTensors, not in the byte and block counts.
 *
 * @param liveBytes bytes held by tensors now
 * @param cachedBytes bytes freed by tensors and kept for reuse
 * @param peakLiveBytes the most live bytes seen
 * @param liveBlocks memory blocks held by tensors now
 * @param liveTensors native tensors (including views) that exist now
 */
public record MemoryStats(long liveBytes, long cachedBytes, long peakLiveBytes, long liveBlocks, long liveTensors) {}
