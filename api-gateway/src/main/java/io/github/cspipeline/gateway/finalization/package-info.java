@NullMarked
package io.github.cspipeline.gateway.finalization;

import org.jspecify.annotations.NullMarked;
