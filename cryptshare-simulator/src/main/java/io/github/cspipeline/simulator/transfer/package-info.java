@NullMarked
package io.github.cspipeline.simulator.transfer;

import org.jspecify.annotations.NullMarked;
