package io.github.cspipeline.simulator.session;

import java.util.List;

/** The recipients of a transfer, grouped as Cryptshare does. */
public record Recipients(List<String> to, List<String> cc, List<String> bcc) {

  public static final Recipients NONE = new Recipients(List.of(), List.of(), List.of());

  public Recipients {
    to = List.copyOf(to);
    cc = List.copyOf(cc);
    bcc = List.copyOf(bcc);
  }

  public static Recipients to(List<String> mails) {
    return new Recipients(mails, List.of(), List.of());
  }

  public int size() {
    return to.size() + cc.size() + bcc.size();
  }
}
