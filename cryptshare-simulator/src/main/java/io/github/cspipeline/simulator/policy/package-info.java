@NullMarked
package io.github.cspipeline.simulator.policy;

import org.jspecify.annotations.NullMarked;
