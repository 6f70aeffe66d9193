@NullMarked
package io.github.cspipeline.simulator.config;

import org.jspecify.annotations.NullMarked;
