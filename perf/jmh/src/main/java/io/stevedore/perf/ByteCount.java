package io.stevedore.perf;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Bytes handled, reported by JMH next to the operation rate as {@code <benchmark>:bytes} in
 * "ops/s", which is bytes per second with its own error bounds: the throughput a user compares with
 * a disk or network, whatever the chunk or buffer size of the operation.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCount {
  public long bytes;

  @Setup(Level.Iteration)
  public void reset() {
    bytes = 0;
  }
}
