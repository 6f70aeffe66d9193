@NullMarked
package io.github.cspipeline.gateway.config;

import org.jspecify.annotations.NullMarked;
