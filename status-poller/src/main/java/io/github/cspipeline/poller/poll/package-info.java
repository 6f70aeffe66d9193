/**
 * Polling Cryptshare: when to poll (backoff, deadline, concurrency), what an answer means (state
 * mapping) and what follows from it.
 */
@NullMarked
package io.github.cspipeline.poller.poll;

import org.jspecify.annotations.NullMarked;
