package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files: hand-made bytes, every element type, gzip or not, bad files; MNIST-style folders. */
class IdxTest {
  @TempDir Path dir;

  @Test
  void readsTheBytesOfTheFormat() throws IOException {
    // 2 x 3 unsigned bytes: magic 0x00000802, sizes 2 and 3, then the elements.
    byte[] file = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, (byte) 253, (byte) 254, (byte) 255};
    Tensor t = Idx.read(new ByteArrayInputStream(file), "mem");
    assertEquals(DType.UINT8, t.dtype());
    assertArrayEquals(new long[] {2, 3}, t.shape());
    assertArrayEquals(new long[] {0, 1, 2, 253, 254, 255}, t.toLongArray());
    // Big-endian int32 elements.
    byte[] ints = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 1, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe};
    assertArrayEquals(new int[] {256, -2}, Idx.read(new ByteArrayInputStream(ints), "mem").toIntArray());
  }

  @Test
  void roundTripsEveryTypeGzippedOrNot() throws IOException {
    Tensor[] samples = {
      Tensor.of(new byte[] {0, (byte) 200, (byte) 255, 7}, DType.UINT8, 2, 2),
      Tensor.of(new byte[] {-128, 0, 127}, DType.INT8),
      Tensor.of(new short[] {-300, 300}, DType.INT16),
      Tensor.of(new int[] {Integer.MIN_VALUE, 5, Integer.MAX_VALUE}),
      Tensor.of(new float[] {1.5f, -2.25f, Float.MAX_VALUE}, 3, 1, 1),
      Tensor.of(new double[] {Math.PI, -0.0})
    };
    for (Tensor t : samples) {
      for (String name : new String[] {"t.idx", "t.idx.gz"}) {
        Path f = dir.resolve(name);
        Idx.write(t, f);
        Tensor back = Idx.read(f);
        assertEquals(t.dtype(), back.dtype(), name);
        assertArrayEquals(t.shape(), back.shape(), name);
        assertArrayEquals(t.toBytes(), back.toBytes(), name + " " + t.dtype());
      }
    }
    assertThrows(IllegalArgumentException.class, () -> Idx.write(Tensor.of(new long[] {1}), dir.resolve("x.idx")));
  }

  @Test
  void badFilesRaiseIOExceptions() {
    byte[] truncated = {0, 0, 8, 1, 0, 0, 0, 5, 1, 2};
    IOException e = assertThrows(IOException.class, () -> Idx.read(new ByteArrayInputStream(truncated), "short.idx"));
    assertTrue(e.getMessage().contains("short.idx"), e.getMessage());
    assertThrows(IOException.class, () -> Idx.read(new ByteArrayInputStream(new byte[] {1, 2, 8, 1, 0, 0, 0, 1, 9}), "m"));
    assertThrows(IOException.class, () -> Idx.read(new ByteArrayInputStream(new byte[] {0, 0, 0x42, 1, 0, 0, 0, 1, 9}), "t"));
    assertThrows(IOException.class, () -> Idx.read(new ByteArrayInputStream(new byte[] {0, 0}), "tiny"));
  }

  @Test
  void mnistFolders() throws IOException {
    Tensor images = Tensor.arange(2 * 28 * 28).remainder(256).to(DType.UINT8).view(2, 28, 28);
    Tensor labels = Tensor.of(new byte[] {3, 9}, DType.UINT8);
    for (String split : new String[] {"train", "t10k"}) {
      Idx.write(images, dir.resolve(split + "-images-idx3-ubyte.gz"));
      Idx.write(labels, dir.resolve(split + "-labels-idx1-ubyte")); // plain works too
    }
    assertTrue(Mnist.isPresent(dir));
    TensorDataset train = Mnist.load(dir, true);
    assertEquals(2, train.size());
    assertEquals(DType.UINT8, train.tensors()[0].dtype());
    assertEquals(DType.INT64, train.tensors()[1].dtype());
    assertArrayEquals(new long[] {3, 9}, train.tensors()[1].toLongArray());
    assertArrayEquals(images.toBytes(), train.tensors()[0].toBytes());
    assertFalse(Mnist.isPresent(dir.resolve("nothing")));
    assertThrows(IOException.class, () -> Mnist.load(dir.resolve("nothing"), false));
  }

  @Test
  void detectsGzipByItsMagicBytes() throws IOException {
    byte[] plain = {0, 0, 8, 1, 0, 0, 0, 3, 4, 5, 6};
    var bytes = new java.io.ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(plain);
    }
    Path f = dir.resolve("labels.gz");
    Files.write(f, bytes.toByteArray());
    assertArrayEquals(new long[] {4, 5, 6}, Idx.read(f).toLongArray());
  }
}
