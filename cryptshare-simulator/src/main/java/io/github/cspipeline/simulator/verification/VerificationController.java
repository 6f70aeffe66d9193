package io.github.cspipeline.simulator.verification;

import io.github.cspipeline.simulator.api.ApiTime;
import io.github.cspipeline.simulator.api.Caller;
import io.github.cspipeline.simulator.api.Envelope;
import io.github.cspipeline.simulator.api.PathVariables;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/users/{email}/verification")
public class VerificationController {

  public record TokenRequest(@Nullable String verificationCode) {}

  public record Token(String token, String validUntil) {}

  public record VerificationStatus(
      boolean verified, @Nullable String validUntil, List<String> verificationMethods) {}

  private final VerificationService verification;

  public VerificationController(VerificationService verification) {
    this.verification = verification;
  }

  @PostMapping("/token")
  public Envelope<Token> createToken(
      Caller caller,
      @PathVariable String email,
      @RequestBody(required = false) @Nullable TokenRequest body) {
    String senderKey = PathVariables.senderKey(email);
    String code = body == null ? null : body.verificationCode();
    IssuedToken token = verification.issueToken(caller, senderKey, code);
    return Envelope.of(new Token(token.token(), ApiTime.format(token.validUntil())));
  }

  @PostMapping("/code/email")
  public ResponseEntity<Void> sendCode(Caller caller, @PathVariable String email) {
    verification.sendCode(caller, PathVariables.senderKey(email));
    return ResponseEntity.ok().build();
  }

  @GetMapping
  public Envelope<VerificationStatus> status(Caller caller, @PathVariable String email) {
    VerificationService.Status status = verification.status(caller, PathVariables.senderKey(email));
    return Envelope.of(
        new VerificationStatus(
            status.verified(), ApiTime.format(status.validUntil()), status.verificationMethods()));
  }
}
