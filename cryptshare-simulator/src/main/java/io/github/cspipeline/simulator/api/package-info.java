@NullMarked
package io.github.cspipeline.simulator.api;

import org.jspecify.annotations.NullMarked;
