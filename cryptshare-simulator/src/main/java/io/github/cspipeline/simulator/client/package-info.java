@NullMarked
package io.github.cspipeline.simulator.client;

import org.jspecify.annotations.NullMarked;
