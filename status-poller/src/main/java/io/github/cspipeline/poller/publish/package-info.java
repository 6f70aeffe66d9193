/**
 * The records of the terminal transfer events the poller publishes. The publishing itself is the
 * watch journal's transaction ({@code watch.TerminalPublisher}): the event and the end of its watch
 * commit together, so the contract lives with the watches it ends.
 */
@NullMarked
package io.github.cspipeline.poller.publish;

import org.jspecify.annotations.NullMarked;
