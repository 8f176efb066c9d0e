package dev.kiln.examples;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.data.Idx;
import dev.kiln.data.Mnist;
import dev.kiln.data.TensorDataset;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Fashion-MNIST: the full set from a folder (by default where Debian's dataset-fashion-mnist package installs
 * it), else the stratified sample bundled with the examples (2,000 training and 500 test images). Each split
 * holds uint8 images [n, 28, 28] and int64 labels [n].
 */
public record FashionMnist(TensorDataset train, TensorDataset test, boolean isSample) {
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  public static final int PIXELS = 28 * 28;
  public static final String[] CLASSES = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
  };
  private static final String SAMPLE = "/fashion-mnist-sample/";

  public int trainSize() {
    return train.size();
  }

  public int testSize() {
    return test.size();
  }

  /** The images of a split as float32 in [0, 1], [n, 784]. */
  public static Tensor pixels(TensorDataset split) {
    Tensor images = split.tensors()[0];
    return images.to(DType.FLOAT32).div(255).view(images.size(0), PIXELS);
  }

  public static Tensor labels(TensorDataset split) {
    return split.tensors()[1];
  }

  /** The full set from dir if its four files are there, else the bundled sample. */
  public static FashionMnist load(Path dir) throws IOException {
    if (Mnist.isPresent(dir)) return new FashionMnist(Mnist.load(dir, true), Mnist.load(dir, false), false);
    return new FashionMnist(sample("train"), sample("t10k"), true);
  }

  private static TensorDataset sample(String split) throws IOException {
    return new TensorDataset(resource(split + "-images-idx3-ubyte.gz"), resource(split + "-labels-idx1-ubyte.gz").to(DType.INT64));
  }

  private static Tensor resource(String name) throws IOException {
    try (InputStream in = FashionMnist.class.getResourceAsStream(SAMPLE + name)) {
      if (in == null) throw new IOException("the bundled sample is missing " + name);
      return Idx.read(in, name);
    }
  }
}
