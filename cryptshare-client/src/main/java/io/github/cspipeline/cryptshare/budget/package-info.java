/**
 * One request budget per Cryptshare server (origin), shared by the transfer-worker and the
 * status-poller: a rate cap the server measures in any sliding second ({@link
 * io.github.cspipeline.cryptshare.budget.RequestRate}) and a cap on requests in flight (a
 * resilience4j bulkhead), with reservations for a caller that dispatches work only when its first
 * request can leave at once (ADR 032).
 */
@NullMarked
package io.github.cspipeline.cryptshare.budget;

import org.jspecify.annotations.NullMarked;
