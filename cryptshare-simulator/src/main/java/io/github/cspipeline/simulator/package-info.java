@NullMarked
package io.github.cspipeline.simulator;

import org.jspecify.annotations.NullMarked;
