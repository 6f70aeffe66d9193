@NullMarked
package io.github.cspipeline.gateway.security;

import org.jspecify.annotations.NullMarked;
