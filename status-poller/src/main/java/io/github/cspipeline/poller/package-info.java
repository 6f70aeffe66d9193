@NullMarked
package io.github.cspipeline.poller;

import org.jspecify.annotations.NullMarked;
