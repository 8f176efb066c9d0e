package dev.kiln.examples.fashion;

/** What one epoch gave: mean training loss, test loss and accuracy, wall time and training throughput. */
record EpochResult(int epoch, double trainLoss, double testLoss, double testAccuracy, double seconds, double samplesPerSecond) {
  String summary(int epochs) {
    return String.format("epoch %d/%d  train loss %.4f  test loss %.4f  test accuracy %.2f%%  %.1f s  %,.0f samples/s",
        epoch, epochs, trainLoss, testLoss, 100 * testAccuracy, seconds, samplesPerSecond);
  }
}
