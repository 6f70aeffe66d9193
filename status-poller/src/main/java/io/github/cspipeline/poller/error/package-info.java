/** The poller's exceptions. */
@NullMarked
package io.github.cspipeline.poller.error;

import org.jspecify.annotations.NullMarked;
