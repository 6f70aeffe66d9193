@NullMarked
package io.github.cspipeline.gateway.status;

import org.jspecify.annotations.NullMarked;
