package dev.kiln.nn.utils;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batches of sequences of different lengths (torch.nn.utils.rnn): padding them to one length
 * ({@link #padSequence}), packing a padded batch so that recurrent layers run each sequence over its own length
 * ({@link #packPaddedSequence}, {@link #packSequence}), and back ({@link #padPackedSequence},
 * {@link #unpadSequence}, {@link #unpackSequence}). Every step is an indexing op, so gradients flow through
 * packing and unpacking.
 *
 * <pre>{@code
 * PackedSequence packed = RnnUtils.packPaddedSequence(x, new long[] {5, 3, 2}, true, false);   // x [3, 5, 8]
 * LSTM.PackedOutput out = lstm.forward(packed, null, null);
 * RnnUtils.Padded padded = RnnUtils.padPackedSequence(out.output(), true);                    // [3, 5, hidden]
 * }</pre>
 */
public final class RnnUtils {
  private RnnUtils() {}

  /** A padded batch and each sequence's length (int64), in the caller's batch order. */
  public record Padded(Tensor padded, Tensor lengths) {}

  /**
   * Stacks sequences [L_i, *] into [T, B, *] (batchFirst: [B, T, *]), T the longest length, padding the shorter
   * ones' ends with paddingValue; the result takes the first sequence's dtype.
   */
  public static Tensor padSequence(List<Tensor> sequences, boolean batchFirst, double paddingValue) {
    if (sequences.isEmpty()) throw new ArgumentException("pad_sequence: received an empty list of sequences");
    Tensor first = sequences.get(0);
    if (first.dim() < 1) throw new ShapeException("pad_sequence: expected sequences of at least 1 dimension, got a 0-D tensor");
    long longest = 0;
    for (Tensor s : sequences) {
      if (s.dim() != first.dim() || !Arrays.equals(tail(s.shape()), tail(first.shape())))
        throw new ShapeException("pad_sequence: every sequence must have the trailing dimensions of the first, "
            + Arrays.toString(tail(first.shape())) + ", got " + Arrays.toString(s.shape()));
      longest = Math.max(longest, s.size(0));
    }
    List<Tensor> padded = new ArrayList<>();
    for (Tensor s : sequences) {
      Tensor x = s.dtype() == first.dtype() ? s : s.to(first.dtype());
      if (x.size(0) < longest) {
        long[] fill = x.shape();
        fill[0] = longest - x.size(0);
        x = Tensor.cat(List.of(x, Tensor.full(paddingValue, first.dtype(), fill)), 0);
      }
      padded.add(x);
    }
    return Tensor.stack(padded, batchFirst ? 0 : 1);
  }

  /** padSequence with zeros. */
  public static Tensor padSequence(List<Tensor> sequences, boolean batchFirst) {
    return padSequence(sequences, batchFirst, 0);
  }

  /**
   * Packs a padded batch [T, B, *] (batchFirst: [B, T, *]) whose sequence b has lengths[b] steps. With
   * enforceSorted the lengths must be non-increasing; otherwise the batch is sorted longest first (a stable
   * sort) and the PackedSequence remembers the order.
   */
  public static PackedSequence packPaddedSequence(Tensor input, long[] lengths, boolean batchFirst, boolean enforceSorted) {
    if (input.dim() < 2)
      throw new ShapeException("pack_padded_sequence: expected input of at least 2 dimensions ([T, B, *]), got "
          + Arrays.toString(input.shape()));
    if (input.numel() == 0) throw new ShapeException("pack_padded_sequence: Cannot pack empty tensors.");
    Tensor x = batchFirst ? input.transpose(0, 1) : input;
    long steps = x.size(0), batch = x.size(1);
    if (lengths.length != batch)
      throw new ShapeException("pack_padded_sequence: Expected `len(lengths)` to be equal to batch_size, but got "
          + lengths.length + " (batch_size=" + batch + ")");
    for (long len : lengths) {
      if (len <= 0)
        throw new ArgumentException("pack_padded_sequence: Length of all samples has to be greater than 0, but found an "
            + "element in 'lengths' that is <= 0");
      if (len > steps)
        throw new ShapeException("pack_padded_sequence: a length of " + len + " is longer than the input's " + steps
            + " steps (input " + Arrays.toString(input.shape()) + (batchFirst ? ", batch first)" : ")"));
    }
    Tensor sorted = null, unsorted = null;
    long[] order = lengths;
    if (enforceSorted) {
      for (int b = 1; b < lengths.length; b++)
        if (lengths[b] > lengths[b - 1])
          throw new ArgumentException("pack_padded_sequence: `lengths` array must be sorted in decreasing order when "
              + "`enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
              + "pack_sequence to sidestep this requirement if you do not need ONNX exportability.");
    } else {
      ValuesAndIndices s = Tensor.of(lengths, lengths.length).sort(0, true, true);
      order = s.values().toLongArray();
      sorted = s.indices();
      unsorted = invertPermutation(sorted);
      x = x.indexSelect(1, sorted);
    }
    long[] batchSizes = batchSizes(order);
    Tensor flat = x.reshape(concat(new long[] {steps * batch}, tail(tail(x.shape()))));
    Tensor data = flat.indexSelect(0, Tensor.of(packedRows(batchSizes, batch), dataRows(batchSizes)));
    return new PackedSequence(data, Tensor.of(batchSizes, batchSizes.length), sorted, unsorted);
  }

  /** packPaddedSequence with the lengths as a 1-D integer tensor. */
  public static PackedSequence packPaddedSequence(Tensor input, Tensor lengths, boolean batchFirst, boolean enforceSorted) {
    if (lengths.dim() != 1 || lengths.dtype().isFloatingPoint() || lengths.dtype() == DType.BOOL)
      throw new ShapeException("pack_padded_sequence: expected lengths as a 1-D integer tensor, got " + lengths.dtype() + " "
          + Arrays.toString(lengths.shape()));
    return packPaddedSequence(input, lengths.to(DType.INT64).toLongArray(), batchFirst, enforceSorted);
  }

  /** Packs sequences [L_i, *] (padSequence, then packPaddedSequence). */
  public static PackedSequence packSequence(List<Tensor> sequences, boolean enforceSorted) {
    long[] lengths = new long[sequences.size()];
    for (int i = 0; i < lengths.length; i++) lengths[i] = sequences.get(i).dim() == 0 ? 0 : sequences.get(i).size(0);
    return packPaddedSequence(padSequence(sequences, false), lengths, false, enforceSorted);
  }

  /**
   * Unpacks into a padded batch [T, B, *] (batchFirst: [B, T, *]) in the caller's batch order, padded with
   * paddingValue, T the longest length or totalLength when given (null: none; it may not be shorter).
   */
  public static Padded padPackedSequence(PackedSequence sequence, boolean batchFirst, double paddingValue, Integer totalLength) {
    long[] batchSizes = sequence.batchSizeArray();
    long steps = batchSizes.length, batch = batchSizes[0];
    if (totalLength != null) {
      if (totalLength < steps)
        throw new ArgumentException("pad_packed_sequence: Expected total_length to be at least the length of the longest "
            + "sequence in input, but got total_length=" + totalLength + " and max sequence length being " + steps);
      steps = totalLength;
    }
    Tensor data = sequence.data();
    long[] rowShape = tail(data.shape());
    Tensor flat = Tensor.full(paddingValue, data.dtype(), concat(new long[] {steps * batch}, rowShape));
    flat = flat.indexPut(new Tensor[] {Tensor.of(packedRows(batchSizes, batch), dataRows(batchSizes))}, data);
    Tensor padded = flat.view(concat(new long[] {steps, batch}, rowShape));
    long[] lengths = new long[(int) batch];
    for (long size : batchSizes)
      for (int b = 0; b < size; b++) lengths[b]++;
    Tensor lengthTensor = Tensor.of(lengths, batch);
    if (sequence.unsortedIndices() != null) {
      padded = padded.indexSelect(1, sequence.unsortedIndices());
      lengthTensor = lengthTensor.indexSelect(0, sequence.unsortedIndices());
    }
    return new Padded(batchFirst ? padded.transpose(0, 1) : padded, lengthTensor);
  }

  /** padPackedSequence with zeros, as long as the longest sequence. */
  public static Padded padPackedSequence(PackedSequence sequence, boolean batchFirst) {
    return padPackedSequence(sequence, batchFirst, 0, null);
  }

  /** The sequences of a padded batch [T, B, *] (batchFirst: [B, T, *]), each cut to its length: views. */
  public static List<Tensor> unpadSequence(Tensor padded, long[] lengths, boolean batchFirst) {
    Tensor x = batchFirst ? padded : padded.transpose(0, 1);
    if (x.dim() < 2 || lengths.length != x.size(0))
      throw new ShapeException("unpad_sequence: expected " + (x.dim() < 2 ? "a padded batch [T, B, *]" : x.size(0) + " lengths")
          + ", got padded " + Arrays.toString(padded.shape()) + " and " + lengths.length + " lengths");
    List<Tensor> out = new ArrayList<>();
    for (int b = 0; b < lengths.length; b++) {
      if (lengths[b] < 0 || lengths[b] > x.size(1))
        throw new ShapeException("unpad_sequence: length " + lengths[b] + " of sequence " + b + " is outside [0, " + x.size(1) + "]");
      out.add(x.select(0, b).narrow(0, 0, lengths[b]));
    }
    return out;
  }

  /** The sequences of a PackedSequence, in the caller's batch order. */
  public static List<Tensor> unpackSequence(PackedSequence packed) {
    Padded p = padPackedSequence(packed, true);
    return unpadSequence(p.padded(), p.lengths().toLongArray(), true);
  }

  /** The inverse of a permutation (int64 indices): out[perm[i]] = i. */
  public static Tensor invertPermutation(Tensor permutation) {
    long[] p = permutation.toLongArray(), inverse = new long[p.length];
    Arrays.fill(inverse, -1);
    for (int i = 0; i < p.length; i++) {
      if (p[i] < 0 || p[i] >= p.length || inverse[(int) p[i]] >= 0)
        throw new ArgumentException("invert_permutation: " + Arrays.toString(p) + " is not a permutation");
      inverse[(int) p[i]] = i;
    }
    return Tensor.of(inverse, p.length);
  }

  /**
   * Where each row of packed data sits in a padded batch flattened to [T * B, *]: step t's rows are t * B + b for
   * b below batchSizes[t]. The recurrent layers scatter and gather by it too.
   */
  public static long[] packedRows(long[] batchSizes, long batch) {
    long[] rows = new long[(int) dataRows(batchSizes)];
    int i = 0;
    for (int t = 0; t < batchSizes.length; t++)
      for (long b = 0; b < batchSizes[t]; b++) rows[i++] = t * batch + b;
    return rows;
  }

  private static long dataRows(long[] batchSizes) {
    long n = 0;
    for (long size : batchSizes) n += size;
    return n;
  }

  /** How many of the sorted (longest first) lengths reach each step. */
  private static long[] batchSizes(long[] sortedLengths) {
    long[] sizes = new long[(int) sortedLengths[0]];
    for (long len : sortedLengths)
      for (int t = 0; t < len; t++) sizes[t]++;
    return sizes;
  }

  private static long[] tail(long[] shape) {
    return Arrays.copyOfRange(shape, 1, shape.length);
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
