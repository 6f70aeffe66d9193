/**
 * The worker's durable memory, kept in Kafka: one {@link
 * io.github.cspipeline.worker.state.TransferProgress} per transfer on a compacted topic, written in
 * the same transactions as the command offsets and the events, and read back on partition
 * assignment.
 */
@NullMarked
package io.github.cspipeline.worker.state;

import org.jspecify.annotations.NullMarked;
