/** Wiring: the configuration record, Kafka serialization, error handling and the beans. */
@NullMarked
package io.github.cspipeline.poller.config;

import org.jspecify.annotations.NullMarked;
