package io.github.cspipeline.cryptshare;

import org.jspecify.annotations.Nullable;

/**
 * A Cryptshare answer as received, before the client reads it: status, the headers the client uses,
 * and the body, read whole (answers are small JSON documents).
 */
public record HttpAnswer(
    int status, byte[] body, @Nullable String location, @Nullable String retryAfter) {}
