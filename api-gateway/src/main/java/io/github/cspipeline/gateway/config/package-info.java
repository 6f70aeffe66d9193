/**
 * Configuration only: the properties ({@code cryptshare.*}), their defaults and the Spring wiring
 * of Kafka and the web server. Runtime code lives with its feature.
 */
@NullMarked
package io.github.cspipeline.gateway.config;

import org.jspecify.annotations.NullMarked;
