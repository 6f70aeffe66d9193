@NullMarked
package io.github.cspipeline.simulator.session;

import org.jspecify.annotations.NullMarked;
