/**
 * Reading the gateway's topics whole, without a consumer group ({@link
 * io.github.cspipeline.gateway.kafka.TopicReader}): the edge that feeds the status view and the
 * claims, and that readiness waits for.
 */
@NullMarked
package io.github.cspipeline.gateway.kafka;

import org.jspecify.annotations.NullMarked;
