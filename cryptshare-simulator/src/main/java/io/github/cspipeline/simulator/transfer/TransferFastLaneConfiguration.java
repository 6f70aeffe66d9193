package io.github.cspipeline.simulator.transfer;

import io.github.cspipeline.simulator.api.ApiHeaderInterceptor;
import io.github.cspipeline.simulator.config.SimulatorProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class TransferFastLaneConfiguration {

  /**
   * Innermost filter, right before the dispatcher: fault injection, lost responses and request
   * counting happen around it as for any request. {@code simulator.fast-lane=false} turns it off,
   * e.g. to compare.
   */
  @Bean
  @ConditionalOnBooleanProperty(name = "simulator.fast-lane", matchIfMissing = true)
  public FilterRegistrationBean<TransferFastLane> transferFastLane(
      TransferController transfers, SimulatorProperties properties, JsonMapper json) {
    FilterRegistrationBean<TransferFastLane> registration =
        new FilterRegistrationBean<>(
            new TransferFastLane(transfers, new ApiHeaderInterceptor(properties), json));
    registration.addUrlPatterns("/api/users/*");
    registration.setOrder(Ordered.LOWEST_PRECEDENCE);
    return registration;
  }
}
