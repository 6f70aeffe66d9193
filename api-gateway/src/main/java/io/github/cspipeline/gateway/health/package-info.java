/**
 * Whether this instance may take traffic: the {@code kafka} readiness check (the cluster answers,
 * the topic readers have caught up) and the {@code cryptshare.gateway.ready} gauge the alerts
 * count.
 */
@NullMarked
package io.github.cspipeline.gateway.health;

import org.jspecify.annotations.NullMarked;
