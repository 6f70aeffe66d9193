/**
 * Encryption of a caller's verification token for its trip through Kafka ({@code
 * FinalizeCommand.credential}): the gateway encrypts, the transfer-worker decrypts.
 */
@NullMarked
package io.github.cspipeline.model.credential;

import org.jspecify.annotations.NullMarked;
