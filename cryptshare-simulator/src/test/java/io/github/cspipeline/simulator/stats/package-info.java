@NullMarked
package io.github.cspipeline.simulator.stats;

import org.jspecify.annotations.NullMarked;
