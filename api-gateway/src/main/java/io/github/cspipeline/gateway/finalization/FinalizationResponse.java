package io.github.cspipeline.gateway.finalization;

import java.time.Instant;

/** Answer of an accepted finalize request. */
public record FinalizationResponse(
    String server, String sender, String trackingId, String state, Instant acceptedAt) {}
