package dev.kiln.bench.bytedeco;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.FlattenImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.MaxPool2dImpl;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.SequentialImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * dev.kiln.bench.jmh.TrainingBenchmark in PyTorch 2.7.1 from Java: the main job's MLP and CNN built from the same
 * layers, zero_grad, forward, cross-entropy, backward, Adam (lr 1e-3) on a fixed random batch.
 */
@State(Scope.Thread)
public class TrainingBenchmark {
  @Param({"mlp", "cnn"})
  public String model;

  @Param({"64", "256"})
  public int batch;

  private SequentialImpl net;
  private Adam optimizer;
  private Tensor images;
  private Tensor labels;

  @Setup
  public void setup() {
    Torch.init();
    torch.manual_seed(1);
    net = new SequentialImpl();
    if (model.equals("mlp")) {
      net.push_back(new FlattenImpl());
      net.push_back(new LinearImpl(784, 256));
      net.push_back(new ReLUImpl());
      net.push_back(new LinearImpl(256, 128));
      net.push_back(new ReLUImpl());
      net.push_back(new LinearImpl(128, 10));
    } else {
      net.push_back(conv(1, 32));
      net.push_back(new ReLUImpl());
      net.push_back(new MaxPool2dImpl(new LongPointer(2L, 2L)));
      net.push_back(conv(32, 64));
      net.push_back(new ReLUImpl());
      net.push_back(new MaxPool2dImpl(new LongPointer(2L, 2L)));
      net.push_back(new FlattenImpl());
      net.push_back(new LinearImpl(64 * 7 * 7, 128));
      net.push_back(new ReLUImpl());
      net.push_back(new LinearImpl(128, 10));
    }
    optimizer = new Adam(net.parameters(), new AdamOptions(1e-3));
    images = torch.rand(batch, 1, 28, 28);
    labels = torch.randint(0L, 10L, new long[] {batch});
  }

  /** 3x3, padding 1 (keeps the image size), as Models.cnn's convolutions. */
  private static Conv2dImpl conv(long in, long out) {
    Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(3L, 3L));
    o.padding().put(new LongPointer(1L, 1L));
    return new Conv2dImpl(o);
  }

  @Benchmark
  public void step() {
    try (PointerScope s = new PointerScope()) {
      optimizer.zero_grad();
      torch.cross_entropy(net.forward(images), labels).backward();
      optimizer.step();
    }
  }
}
