package io.stevedore.app;

import io.stevedore.observe.StoreUsage;
import io.stevedore.ops.Operator;

/** The store's usage for metrics, as the operator keeps count of it. */
record OperatorUsage(Operator operator) implements StoreUsage {
  @Override
  public long storedBytes() {
    return operator.storedBytes();
  }

  @Override
  public long quota() {
    return operator.quota();
  }

  @Override
  public long pinnedBytes() {
    return operator.pinnedBytes();
  }
}
