/**
 * What every HTTP request goes through besides authentication: its trace id in the response and the
 * logs, and its request metrics by outcome.
 */
@NullMarked
package io.github.cspipeline.gateway.web;

import org.jspecify.annotations.NullMarked;
