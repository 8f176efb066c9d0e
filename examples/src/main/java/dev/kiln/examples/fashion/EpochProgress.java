package dev.kiln.examples.fashion;

import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar of one epoch (me.tongfei:progressbar): samples done, samples/s, ETA and the running
 * loss. Without a terminal (a CI log, a test) it draws nothing; the epoch summary line says it all.
 */
final class EpochProgress implements AutoCloseable {
  private final ProgressBar bar;

  EpochProgress(boolean enabled, int epoch, int epochs, long samples) {
    bar = enabled
        ? new ProgressBarBuilder()
            .setTaskName(String.format("epoch %d/%d", epoch, epochs))
            .setInitialMax(samples)
            .setUnit(" samples", 1)
            .showSpeed()
            .setSpeedUnit(ChronoUnit.SECONDS)
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setUpdateIntervalMillis(250)
            .clearDisplayOnFinish()
            .build()
        : null;
  }

  void advance(long samples, double runningLoss) {
    if (bar == null) return;
    bar.stepBy(samples);
    bar.setExtraMessage(String.format("loss %.4f", runningLoss));
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
