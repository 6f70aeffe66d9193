/** Publishing the terminal transfer events. */
@NullMarked
package io.github.cspipeline.poller.publish;

import org.jspecify.annotations.NullMarked;
