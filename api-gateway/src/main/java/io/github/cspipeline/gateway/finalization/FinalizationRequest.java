package io.github.cspipeline.gateway.finalization;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /api/v1/finalizations}. The annotations give the field messages and the
 * OpenAPI description; {@link FinalizationService} then checks the values against {@code
 * FinalizeCommandRules}, the rules the worker applies, so that nothing accepted here is refused
 * there.
 *
 * @param server id of a configured Cryptshare server; {@code default} when absent
 * @param sender the sender's email address
 * @param trackingId the session's tracking id, opaque: 1–64 of {@code [A-Za-z0-9_-]}
 */
public record FinalizationRequest(
    @Nullable @Pattern(regexp = "[A-Za-z0-9_.-]{1,64}", message = "must be a server id")
        String server,
    @NotBlank
        @Size(max = 254)
        @Email(regexp = "[^\\s/\\\\?#%]+@[^\\s/\\\\?#%@]+\\.[^\\s/\\\\?#%@]+")
        String sender,
    @NotBlank @Pattern(regexp = "[A-Za-z0-9_-]{1,64}", message = "must be 1-64 of [A-Za-z0-9_-]")
        String trackingId) {

  public String serverOrDefault() {
    return server == null ? "default" : server;
  }
}
