package dev.kiln.examples;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST from its four IDX files: the full set from a folder (by default where Debian's
 * dataset-fashion-mnist package installs it), else the stratified sample bundled with the examples.
 *
 * @param trainImages training images, row-major [n, 784], scaled to [0, 1]
 * @param trainLabels training labels 0..9
 * @param testImages test images [n, 784]
 * @param testLabels test labels
 * @param isSample whether this is the bundled sample rather than the full set
 */
public record FashionMnist(float[] trainImages, long[] trainLabels, float[] testImages, long[] testLabels, boolean isSample) {
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  public static final int PIXELS = 28 * 28;
  public static final String[] CLASSES = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
  };
  private static final String SAMPLE = "/fashion-mnist-sample/";

  public int trainSize() {
    return trainLabels.length;
  }

  public int testSize() {
    return testLabels.length;
  }

  /** The full set from dir if its four files are there, else the bundled sample. */
  public static FashionMnist load(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))) {
      return new FashionMnist(
          images(Files.newInputStream(dir.resolve("train-images-idx3-ubyte.gz"))),
          labels(Files.newInputStream(dir.resolve("train-labels-idx1-ubyte.gz"))),
          images(Files.newInputStream(dir.resolve("t10k-images-idx3-ubyte.gz"))),
          labels(Files.newInputStream(dir.resolve("t10k-labels-idx1-ubyte.gz"))),
          false);
    }
    return new FashionMnist(
        images(resource("train-images-idx3-ubyte.gz")),
        labels(resource("train-labels-idx1-ubyte.gz")),
        images(resource("t10k-images-idx3-ubyte.gz")),
        labels(resource("t10k-labels-idx1-ubyte.gz")),
        true);
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = FashionMnist.class.getResourceAsStream(SAMPLE + name);
    if (in == null) throw new IOException("the bundled sample is missing " + name);
    return in;
  }

  private static float[] images(InputStream raw) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      expect(in.readInt(), 0x00000803, "images");
      int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
      if (rows * cols != PIXELS) throw new IOException("expected 28x28 images, got " + rows + "x" + cols);
      byte[] bytes = in.readNBytes(n * PIXELS);
      float[] out = new float[bytes.length];
      for (int i = 0; i < bytes.length; i++) out[i] = (bytes[i] & 0xff) / 255f;
      return out;
    }
  }

  private static long[] labels(InputStream raw) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      expect(in.readInt(), 0x00000801, "labels");
      byte[] bytes = in.readNBytes(in.readInt());
      long[] out = new long[bytes.length];
      for (int i = 0; i < bytes.length; i++) out[i] = bytes[i];
      return out;
    }
  }

  private static void expect(int magic, int want, String what) throws IOException {
    if (magic != want) throw new IOException("not an IDX file of " + what + ": magic " + Integer.toHexString(magic));
  }
}
