/**
 * Spans of work on a transfer whose W3C trace context was kept with it (ADR 020): shared by the
 * transfer-worker and the status-poller, which both work on a transfer far from the Kafka record
 * that brought its context.
 */
@NullMarked
package io.github.cspipeline.cryptshare.tracing;

import org.jspecify.annotations.NullMarked;
