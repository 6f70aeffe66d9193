@NullMarked
package io.github.cspipeline.gateway;

import org.jspecify.annotations.NullMarked;
