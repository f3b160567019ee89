package dev.gecko4j.train;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The bundled bge-small {@link TrainableEncoder}, opened before a test class's tests and closed
 * after them. Register it as {@code @RegisterExtension static final BgeSmallEncoder BGE_SMALL = new
 * BgeSmallEncoder();} and use {@link #encoder()} in the tests.
 */
public final class BgeSmallEncoder implements BeforeAllCallback, AfterAllCallback {

  private TrainableEncoder encoder;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    encoder = TrainableEncoder.bgeSmall();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }

  /** {@return the open encoder (between the class's first and last test)} */
  public TrainableEncoder encoder() {
    if (encoder == null) {
      throw new IllegalStateException("the encoder is open only while the test class runs");
    }
    return encoder;
  }
}
