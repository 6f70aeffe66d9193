@NullMarked
package io.github.cspipeline.simulator.error;

import org.jspecify.annotations.NullMarked;
