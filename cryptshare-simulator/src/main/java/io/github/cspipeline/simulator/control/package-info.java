@NullMarked
package io.github.cspipeline.simulator.control;

import org.jspecify.annotations.NullMarked;
