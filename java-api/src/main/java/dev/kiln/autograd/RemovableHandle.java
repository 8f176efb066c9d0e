package dev.kiln.autograd;

/** Removes the hook it was returned for. Removing twice does nothing. */
public interface RemovableHandle extends AutoCloseable {
  void remove();

  @Override
  default void close() {
    remove();
  }
}
