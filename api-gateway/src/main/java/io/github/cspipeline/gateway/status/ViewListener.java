package io.github.cspipeline.gateway.status;

import io.github.cspipeline.gateway.config.KafkaConfig;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Feeds the status view from the command and event topics. */
@Component
class ViewListener {

  private final TransferViews views;

  ViewListener(TransferViews views) {
    this.views = views;
  }

  @KafkaListener(
      id = "api-gateway-command-view",
      topics =
          "${cryptshare.gateway.topics.commands:"
              + io.github.cspipeline.model.Topics.FINALIZE_COMMANDS
              + "}",
      containerFactory = KafkaConfig.COMMAND_VIEW_FACTORY)
  void onCommand(FinalizeCommand command) {
    views.apply(command);
  }

  @KafkaListener(
      id = "api-gateway-event-view",
      topics =
          "${cryptshare.gateway.topics.events:"
              + io.github.cspipeline.model.Topics.TRANSFER_EVENTS
              + "}",
      containerFactory = KafkaConfig.EVENT_VIEW_FACTORY)
  void onEvent(TransferEvent event) {
    views.apply(event);
  }
}
