/**
 * Which transfers are watched: the watch list, the intake of transfer events that starts and ends
 * watches, and the end of a watch together with its terminal event ({@link
 * io.github.cspipeline.poller.watch.TerminalPublisher}, implemented by the journal).
 */
@NullMarked
package io.github.cspipeline.poller.watch;

import org.jspecify.annotations.NullMarked;
