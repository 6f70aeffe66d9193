package io.github.cspipeline.simulator.control;

import io.github.cspipeline.simulator.api.PathVariables;
import io.github.cspipeline.simulator.control.ControlRequests.RevokedTokens;
import io.github.cspipeline.simulator.control.ControlRequests.SenderView;
import io.github.cspipeline.simulator.policy.SenderPolicies;
import io.github.cspipeline.simulator.policy.SenderPolicy;
import io.github.cspipeline.simulator.verification.VerificationService;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The control API's senders (CONTRACT.md §5): whether each is verified, how it answers an invalid
 * token, its policy, and its tokens.
 */
@RestController
@RequestMapping("/simulator")
public class SenderControlController {

  private final VerificationService verification;
  private final SenderPolicies policies;

  public SenderControlController(VerificationService verification, SenderPolicies policies) {
    this.verification = verification;
    this.policies = policies;
  }

  @GetMapping("/senders/{email}")
  public SenderView sender(@PathVariable String email) {
    String key = senderKey(email);
    SenderPolicy policy = policies.get(key);
    return new SenderView(
        email,
        verification.isVerified(key),
        verification.pendingCode(key),
        verification.invalidTokenStatus(key).value(),
        policy == null ? null : policy.name());
  }

  /**
   * A partial update of {@code verified}, {@code invalidTokenStatus} and {@code policy}: absent
   * fields keep their value, {@code "policy": null} lifts a policy. Read as a tree because a record
   * cannot tell an absent field from a null one.
   */
  @PutMapping("/senders/{email}")
  public SenderView updateSender(@PathVariable String email, @RequestBody JsonNode update) {
    String key = senderKey(email);
    if (!update.isObject()
        || !(update.has("verified") || update.has("invalidTokenStatus") || update.has("policy"))) {
      throw ControlErrors.badRequest("name at least one of verified, invalidTokenStatus, policy");
    }
    JsonNode verified = update.get("verified");
    if (verified != null && !verified.isBoolean()) {
      throw ControlErrors.badRequest("verified must be true or false");
    }
    JsonNode status = update.get("invalidTokenStatus");
    if (status != null
        && !(status.isIntegralNumber() && (status.asInt() == 401 || status.asInt() == 403))) {
      throw ControlErrors.badRequest("invalidTokenStatus must be 401 or 403");
    }
    SenderPolicy policy = update.has("policy") ? policy(update.get("policy")) : null;
    // Everything is checked before anything changes: a refused update changes nothing.
    if (verified != null) {
      verification.setVerified(key, verified.asBoolean());
    }
    if (status != null) {
      verification.setInvalidTokenStatus(key, status.asInt());
    }
    if (update.has("policy")) {
      policies.set(key, policy);
    }
    return sender(email);
  }

  private static @Nullable SenderPolicy policy(JsonNode value) {
    if (value.isNull()) {
      return null;
    }
    try {
      if (value.isString()) {
        return SenderPolicy.valueOf(value.asString());
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw ControlErrors.badRequest(
        "policy must be null, SENDER_REJECTED or SENDER_RECIPIENT_REJECTED");
  }

  @DeleteMapping("/senders/{email}/tokens")
  public RevokedTokens revokeTokens(@PathVariable String email) {
    return new RevokedTokens(email, verification.revokeTokens(senderKey(email)));
  }

  private static String senderKey(String email) {
    if (!PathVariables.isEmail(email)) {
      throw ControlErrors.badRequest("not an email address: " + email);
    }
    return email.toLowerCase(Locale.ROOT);
  }
}
