package io.github.cspipeline.simulator.fault;

import io.github.cspipeline.simulator.stats.RequestStats;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class FaultConfiguration {

  /** Outermost filter on the Cryptshare API, so a lost response is discarded before anything. */
  @Bean
  public FilterRegistrationBean<FaultFilter> faultFilter(
      FaultInjector faults, RequestStats stats, JsonMapper json) {
    FilterRegistrationBean<FaultFilter> registration =
        new FilterRegistrationBean<>(new FaultFilter(faults, stats, json));
    registration.addUrlPatterns("/api/*");
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  @Bean
  public WebServerFactoryCustomizer<TomcatServletWebServerFactory> lostResponseValve(
      FaultInjector faults) {
    return factory -> {
      factory.addEngineValves(new LostResponseValve());
      faults.enableConnectionDrop();
    };
  }
}
