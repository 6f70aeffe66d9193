package io.github.cspipeline.simulator.policy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** The policies the control API set per sender; every other sender may finalize. */
@Component
public class SenderPolicies {

  private final Map<String, SenderPolicy> bySender = new ConcurrentHashMap<>();

  /** Refuses with 403/3010 or 403/3011 if a policy rejects this sender. */
  public void check(String senderKey) {
    SenderPolicy policy = bySender.get(senderKey);
    if (policy != null) {
      throw policy.refusal();
    }
  }

  public @Nullable SenderPolicy get(String senderKey) {
    return bySender.get(senderKey);
  }

  /** Sets the sender's policy; {@code null} lifts it. */
  public void set(String senderKey, @Nullable SenderPolicy policy) {
    if (policy == null) {
      bySender.remove(senderKey);
    } else {
      bySender.put(senderKey, policy);
    }
  }

  public void clear() {
    bySender.clear();
  }
}
