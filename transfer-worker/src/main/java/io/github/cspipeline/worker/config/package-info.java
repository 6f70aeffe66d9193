/** Spring wiring of the worker: its one properties record, Kafka and Cryptshare beans. */
@NullMarked
package io.github.cspipeline.worker.config;

import org.jspecify.annotations.NullMarked;
