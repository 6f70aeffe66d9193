@NullMarked
package io.github.cspipeline.simulator.fault;

import org.jspecify.annotations.NullMarked;
