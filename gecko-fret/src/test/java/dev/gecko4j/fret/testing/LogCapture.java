package dev.gecko4j.fret.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures what the code under test logs ({@link System.Logger} goes to {@code java.util.logging}
 * by default) during each test, as formatted messages:
 * {@code @RegisterExtension final LogCapture logs = new LogCapture();}.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {

  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      lines.add(new SimpleFormatter().formatMessage(r));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  /** {@return the messages logged so far in this test (a live, synchronized list)} */
  public List<String> lines() {
    return lines;
  }

  /** Forgets the messages logged so far. */
  public void clear() {
    lines.clear();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    lines.clear();
    Logger.getLogger("").addHandler(handler);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Logger.getLogger("").removeHandler(handler);
  }
}
