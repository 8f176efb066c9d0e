package dev.kiln.examples.fashion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The loss and accuracy curves of a run, drawn side by side into one PNG with XChart. */
final class TrainingCurves {
  private final List<Double> stepEpochs = new ArrayList<>(), stepLosses = new ArrayList<>();
  private final List<Double> epochs = new ArrayList<>(), trainLosses = new ArrayList<>(), testLosses = new ArrayList<>();
  private final List<Double> testAccuracies = new ArrayList<>();

  /** The running training loss at a fractional epoch (1.5: half way through the second epoch). */
  void addStep(double epoch, double runningLoss) {
    stepEpochs.add(epoch);
    stepLosses.add(runningLoss);
  }

  void addEpoch(EpochResult r) {
    epochs.add((double) r.epoch());
    trainLosses.add(r.trainLoss());
    testLosses.add(r.testLoss());
    testAccuracies.add(100 * r.testAccuracy());
  }

  void writePng(Path file, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart loss = new XYChartBuilder().width(640).height(420).title(title + ": loss").xAxisTitle("epoch").yAxisTitle("cross-entropy").build();
    if (!stepEpochs.isEmpty()) loss.addSeries("train (running)", stepEpochs, stepLosses).setMarker(SeriesMarkers.NONE);
    loss.addSeries("train (epoch mean)", epochs, trainLosses);
    loss.addSeries("test", epochs, testLosses);
    XYChart accuracy = new XYChartBuilder().width(640).height(420).title(title + ": test accuracy").xAxisTitle("epoch").yAxisTitle("%").build();
    accuracy.addSeries("test accuracy", epochs, testAccuracies);
    for (XYChart c : List.of(loss, accuracy)) c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    accuracy.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    String name = file.toString();
    BitmapEncoder.saveBitmap(List.of(loss, accuracy), 1, 2, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
        BitmapEncoder.BitmapFormat.PNG);
  }
}
