/** The poller's spans and the W3C trace context it keeps with each watch (ADR 020). */
@NullMarked
package io.github.cspipeline.poller.tracing;

import org.jspecify.annotations.NullMarked;
