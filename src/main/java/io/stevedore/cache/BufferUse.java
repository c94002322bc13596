package io.stevedore.cache;

/**
 * The chunk buffers now: how many are out (serving and filling), the budget they share, and how
 * many times a response has waited for one. Waits that keep rising mean the heap is too small for
 * the clients: each waiting response holds its client up by a chunk at a time.
 */
public record BufferUse(int out, int budget, long waits) {}
