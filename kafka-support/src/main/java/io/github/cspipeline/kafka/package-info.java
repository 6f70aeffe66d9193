/** Kafka helpers shared by the services: no Spring context, no project module. */
@NullMarked
package io.github.cspipeline.kafka;

import org.jspecify.annotations.NullMarked;
