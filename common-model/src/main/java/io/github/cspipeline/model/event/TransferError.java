package io.github.cspipeline.model.event;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a transfer ended {@code REJECTED} or {@code ABANDONED}.
 *
 * @param code the pipeline's stable error code, e.g. {@code CRYPTSHARE_REJECTED}
 * @param message human-readable explanation (Cryptshare's {@code errorMessage} when it sent one)
 * @param httpStatus HTTP status of Cryptshare's answer, if there was one
 * @param cryptshareErrorCode Cryptshare's {@code errorCode}, if it sent one
 */
public record TransferError(
    String code,
    String message,
    @Nullable Integer httpStatus,
    @Nullable Integer cryptshareErrorCode) {
  public TransferError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
