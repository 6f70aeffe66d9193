@NullMarked
package io.github.cspipeline.simulator.verification;

import org.jspecify.annotations.NullMarked;
