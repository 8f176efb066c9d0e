package dev.kiln;

/**
 * A snapshot of the native allocator.
 *
 * @param liveBytes bytes held by tensors now
 * @param cachedBytes bytes freed by tensors and kept for reuse
 * @param peakLiveBytes the most live bytes seen
 * @param liveBlocks memory blocks held by tensors now
 * @param liveTensors native tensors (including views) that exist now
 */
public record MemoryStats(long liveBytes, long cachedBytes, long peakLiveBytes, long liveBlocks, long liveTensors) {}
