/**
 * The one adapter to the Cryptshare REST API: headers, envelopes, verification tokens and the
 * mapping of HTTP outcomes to {@link io.github.cspipeline.cryptshare.CryptshareException}s. Only
 * this package talks HTTP to Cryptshare.
 */
@NullMarked
package io.github.cspipeline.cryptshare;

import org.jspecify.annotations.NullMarked;
