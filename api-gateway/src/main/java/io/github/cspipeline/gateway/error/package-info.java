@NullMarked
package io.github.cspipeline.gateway.error;

import org.jspecify.annotations.NullMarked;
