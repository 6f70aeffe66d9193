/**
 * Finalizing transfers: reading finalize commands, calling Cryptshare's finalize with retries, and
 * publishing the resulting transfer event.
 */
@NullMarked
package io.github.cspipeline.worker.finalize;

import org.jspecify.annotations.NullMarked;
