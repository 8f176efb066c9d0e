package dev.kiln.examples.fashion;

import dev.kiln.Device;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import dev.kiln.data.DataLoader;
import dev.kiln.data.TensorDataset;
import dev.kiln.examples.FashionMnist;
import dev.kiln.io.Checkpoint;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.optim.Adam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: trains a network on Fashion-MNIST with Adam and cross-entropy, shows a progress bar per
 * epoch and a summary line, and leaves in the output folder the curves (PNG), the weights (safetensors, a
 * PyTorch state dict), a checkpoint to resume from and a short report.
 */
@Command(name = "fashion-mnist", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Trains an MLP or a CNN on Fashion-MNIST with Kiln and reports the test accuracy.")
public final class FashionMnistTraining implements Callable<Integer> {
  enum ModelKind { mlp, cnn }

  @Option(names = "--data", paramLabel = "DIR", description = "folder with the four IDX files (default: ${DEFAULT-VALUE}); "
      + "without them the bundled sample is used")
  Path data = FashionMnist.DEBIAN_DIR;

  @Option(names = "--model", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  ModelKind model = ModelKind.cnn;

  @Option(names = "--epochs", description = "(default: ${DEFAULT-VALUE})")
  int epochs = 5;

  @Option(names = "--batch-size", description = "(default: ${DEFAULT-VALUE})")
  int batchSize = 64;

  @Option(names = "--lr", description = "Adam's learning rate (default: ${DEFAULT-VALUE})")
  double lr = 1e-3;

  @Option(names = "--seed", description = "seeds the weights and the shuffling: same seed, same numbers (default: ${DEFAULT-VALUE})")
  long seed = 0;

  @Option(names = "--threads", description = "native threads (default: the number of cores)")
  Integer threads;

  @Option(names = "--device", description = "cpu, cuda or cuda:N (a build with CUDA and a GPU; default: ${DEFAULT-VALUE})")
  String device = "cpu";

  @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: ${DEFAULT-VALUE})")
  Path out = Path.of("runs", "fashion-mnist");

  @Option(names = "--progress", negatable = true, description = "draw progress bars (default: when there is a terminal)")
  Boolean progress;

  /** What a run gave: its epochs and the files it wrote. */
  record Run(List<EpochResult> epochs, Path weights, Path checkpoint, Path curves, Path report) {}

  public static void main(String[] args) {
    int code = new CommandLine(new FashionMnistTraining()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (code != 0) System.exit(code); // not on success: under mvn exec:java, exit would end Maven itself
  }

  @Override
  public Integer call() throws Exception {
    run();
    return 0;
  }

  Run run() throws Exception {
    if (threads != null) Kiln.setNumThreads(threads);
    boolean bars = progress != null ? progress : System.console() != null;
    FashionMnist fm = FashionMnist.load(data);
    if (fm.isSample())
      System.out.printf("Fashion-MNIST not found in %s: training on the bundled sample (%,d training, %,d test images).%n"
          + "For the full set: apt-get install dataset-fashion-mnist, or --data DIR with the four IDX files.%n", data, fm.trainSize(), fm.testSize());
    TensorDataset train = standardised(fm.train()), test = standardised(fm.test());

    Kiln.manualSeed(seed);
    Module net = switch (model) {
      case mlp -> Models.mlp();
      case cnn -> Models.cnn();
    };
    Device on = Device.parse(device);
    net.to(on); // the weights are drawn on the CPU first, so a seed gives the same network on every device
    Adam optimizer = new Adam(net.parameters(), Map.of("lr", lr));
    Trainer trainer = new Trainer(net, optimizer, new CrossEntropyLoss()::call, on);
    DataLoader<Tensor[], Tensor[]> loader = DataLoader.builder(train).batchSize(batchSize).shuffle(true).seed(seed).build();
    String settings = String.format("%s, %,d training and %,d test images, %d epoch(s), batch %d, Adam lr %g, seed %d, %s",
        model, fm.trainSize(), fm.testSize(), epochs, batchSize, lr, seed,
        on.type() == Device.Type.CPU ? Kiln.getNumThreads() + " threads" : "on " + on);
    System.out.println(settings);

    TrainingCurves curves = new TrainingCurves();
    List<EpochResult> results = new ArrayList<>();
    long start = System.nanoTime();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long t0 = System.nanoTime();
      double trainLoss;
      try (EpochProgress bar = new EpochProgress(bars, epoch, epochs, fm.trainSize())) {
        trainLoss = trainer.trainEpoch(loader, epoch, bar, curves);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double[] eval = trainer.evaluate(test);
      EpochResult r = new EpochResult(epoch, trainLoss, eval[0], eval[1], seconds, fm.trainSize() / seconds);
      results.add(r);
      curves.addEpoch(r);
      System.out.println(r.summary(epochs));
    }
    double total = (System.nanoTime() - start) / 1e9;

    Files.createDirectories(out);
    Path weights = out.resolve(model + ".safetensors"), checkpoint = out.resolve("checkpoint.safetensors");
    Path png = out.resolve("curves.png"), report = out.resolve("report.md");
    SafeTensors.save(net.stateDict(), weights);
    Checkpoint.save(checkpoint, net, optimizer, null, epochs);
    curves.writePng(png, "Kiln " + model + " on Fashion-MNIST");
    List<String> files = List.of(weights + " (the weights, a PyTorch state dict)", checkpoint + " (model, optimizer and epoch, to resume)",
        png + " (loss and accuracy curves)", report + " (this report)");
    RunReport.write(report, RunReport.markdown(settings, results, total, fm.isSample(), files));
    System.out.printf("test accuracy %.2f%% after %d epoch(s) (%.1f s); wrote %s, %s, %s and %s%n",
        100 * results.get(results.size() - 1).testAccuracy(), epochs, total, weights, checkpoint, png, report);
    return new Run(results, weights, checkpoint, png, report);
  }

  /** Images as float32 [n, 1, 28, 28], standardised with the training set's mean and deviation. */
  private static TensorDataset standardised(TensorDataset split) {
    Tensor images = FashionMnist.pixels(split).sub(MEAN).div(STD).view(-1, 1, 28, 28);
    return new TensorDataset(images, FashionMnist.labels(split));
  }

  /** Fashion-MNIST's pixel mean and standard deviation over the 60,000 training images (values in [0, 1]). */
  static final double MEAN = 0.2860, STD = 0.3530;
}
