/**
 * Which transfers are watched: the watch list and the intake of transfer events that starts and
 * ends watches.
 */
@NullMarked
package io.github.cspipeline.poller.watch;

import org.jspecify.annotations.NullMarked;
