package dev.kiln.nn.utils;

import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * A batch of sequences of different lengths, packed step by step (torch.nn.utils.rnn.PackedSequence): data holds
 * the elements of step 0 of every sequence, then those of step 1 of every sequence that long, and so on, the
 * sequences sorted longest first; batchSizes (int64, one per step, non-increasing) says how many sequences reach
 * each step. sortedIndices (the batch order that packing made, as indices into the caller's batch) and
 * unsortedIndices (its inverse) are null when the batch came already sorted. RNN, LSTM and GRU run it with each
 * sequence over its own length; {@link RnnUtils} makes and undoes it. Made by RnnUtils, not by hand.
 */
public record PackedSequence(Tensor data, Tensor batchSizes, Tensor sortedIndices, Tensor unsortedIndices) {
  public PackedSequence {
    if (data == null || batchSizes == null) throw new IllegalArgumentException("PackedSequence: data and batchSizes are required");
    if (batchSizes.dtype() != DType.INT64 || batchSizes.dim() != 1)
      throw new ShapeException("PackedSequence: batch_sizes must be a 1-D int64 tensor, got " + batchSizes.dtype() + " "
          + Arrays.toString(batchSizes.shape()));
    long[] sizes = batchSizes.toLongArray();
    long rows = 0;
    for (int t = 0; t < sizes.length; t++) {
      if (sizes[t] < 1 || (t > 0 && sizes[t] > sizes[t - 1]))
        throw new ShapeException("PackedSequence: batch sizes must be positive and non-increasing, got " + Arrays.toString(sizes));
      rows += sizes[t];
    }
    if (sizes.length == 0 || data.dim() < 1 || data.size(0) != rows)
      throw new ShapeException("PackedSequence: data must have one row per packed element (" + rows + "), got "
          + Arrays.toString(data.shape()) + " for batch sizes " + Arrays.toString(sizes));
    if ((sortedIndices == null) != (unsortedIndices == null))
      throw new IllegalArgumentException("PackedSequence: give both sorted and unsorted indices, or neither");
  }

  /** The batch sizes as longs: step t runs batchSizes()[t] sequences. */
  public long[] batchSizeArray() {
    return batchSizes.toLongArray();
  }

  /** The same packing over data converted to dtype (PackedSequence.to / .double() / .float()). */
  public PackedSequence to(DType dtype) {
    return dtype == data.dtype() ? this : withData(data.to(dtype));
  }

  /** The same packing (batch sizes and order) over other data with as many rows, as a recurrent layer's output. */
  public PackedSequence withData(Tensor newData) {
    if (newData.dim() < 1 || newData.size(0) != data.size(0))
      throw new ShapeException("PackedSequence: new data must have " + data.size(0) + " rows like the packed data, got "
          + Arrays.toString(newData.shape()));
    return new PackedSequence(newData, batchSizes, sortedIndices, unsortedIndices);
  }

  /** As PyTorch prints it. */
  @Override
  public String toString() {
    return "PackedSequence(data=" + data + ", batch_sizes=" + batchSizes + ", sorted_indices="
        + (sortedIndices == null ? "None" : sortedIndices) + ", unsorted_indices="
        + (unsortedIndices == null ? "None" : unsortedIndices) + ")";
  }
}
