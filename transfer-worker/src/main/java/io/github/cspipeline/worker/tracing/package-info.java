/** The worker's spans and the W3C trace context it keeps with each transfer (ADR 020). */
@NullMarked
package io.github.cspipeline.worker.tracing;

import org.jspecify.annotations.NullMarked;
