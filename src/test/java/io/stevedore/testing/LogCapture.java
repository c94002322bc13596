package io.stevedore.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Records what one class logs while it is open, for tests that check what an operator sees. */
public final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final SimpleFormatter formatter = new SimpleFormatter();

  public LogCapture(Class<?> source) {
    this(source.getName());
  }

  /** Captures the logger {@code name}: a class's name, for a class the test cannot see. */
  public LogCapture(String name) {
    // Held in a field: JUL keeps loggers weakly, and a collected one would lose this handler.
    this.logger = Logger.getLogger(name);
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  /** The formatted messages logged at exactly {@code level}. */
  public List<String> messages(Level level) {
    return records.stream()
        .filter(record -> record.getLevel().equals(level))
        .map(formatter::formatMessage)
        .toList();
  }

  /**
   * Waits until a message at {@code level} containing {@code text} has been logged, for what
   * another thread does in its own time.
   *
   * @return whether one was, within {@code timeout}
   */
  public synchronized boolean await(Level level, String text, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (messages(level).stream().noneMatch(message -> message.contains(text))) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
    synchronized (this) {
      notifyAll();
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
