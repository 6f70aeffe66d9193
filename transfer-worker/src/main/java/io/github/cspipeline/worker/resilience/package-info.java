/**
 * Per Cryptshare server: rate limiter, bulkhead and circuit breaker around every request
 * (resilience4j), the stop switch that keeps requests in flight from being interrupted, the retry
 * policy, and the health and pause decisions that follow from the circuits.
 */
@NullMarked
package io.github.cspipeline.worker.resilience;

import org.jspecify.annotations.NullMarked;
