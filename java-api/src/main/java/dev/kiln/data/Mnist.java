package dev.kiln.data;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * MNIST and Fashion-MNIST (the same four IDX files) from a folder: images as uint8 [n, 28, 28] and labels
 * as int64 [n], as torchvision keeps them in .data and .targets.
 *
 * <pre>{@code
 * TensorDataset train = Mnist.load(Path.of("/usr/share/datasets/fashion-mnist"), true);
 * Tensor x = train.tensors()[0].to(DType.FLOAT32).div(255);
 * }</pre>
 */
public final class Mnist {
  private Mnist() {}

  /** The training split (train-*) or the test split (t10k-*); each file plain or with .gz. */
  public static TensorDataset load(Path dir, boolean train) throws IOException {
    String prefix = train ? "train" : "t10k";
    Tensor images = Idx.read(file(dir, prefix + "-images-idx3-ubyte"));
    Tensor labels = Idx.read(file(dir, prefix + "-labels-idx1-ubyte")).to(DType.INT64);
    if (images.dim() != 3 || labels.dim() != 1 || images.size(0) != labels.size(0))
      throw new IOException(dir + ": " + prefix + " images " + java.util.Arrays.toString(images.shape()) + " and labels "
          + java.util.Arrays.toString(labels.shape()) + " do not make a data set");
    return new TensorDataset(images, labels);
  }

  /** Whether dir holds both splits. */
  public static boolean isPresent(Path dir) {
    for (String name : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
      if (!Files.isRegularFile(dir.resolve(name)) && !Files.isRegularFile(dir.resolve(name + ".gz"))) return false;
    return true;
  }

  private static Path file(Path dir, String name) throws IOException {
    Path gz = dir.resolve(name + ".gz"), plain = dir.resolve(name);
    if (Files.isRegularFile(gz)) return gz;
    if (Files.isRegularFile(plain)) return plain;
    throw new IOException(dir + ": no " + name + " (nor " + name + ".gz)");
  }
}
