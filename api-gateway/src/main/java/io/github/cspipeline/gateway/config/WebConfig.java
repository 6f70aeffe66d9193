package io.github.cspipeline.gateway.config;

import io.github.cspipeline.gateway.error.ProblemReportValve;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocAnnotationsUtils;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/** How the gateway reads request bodies, and how it describes its API. */
@Configuration(proxyBeanMethods = false)
class WebConfig {

  /**
   * Request bodies are read strictly: unknown or duplicate fields, a number or boolean where text
   * belongs, and trailing content are errors, not guesses. The gateway reads no other JSON with
   * this mapper (Kafka records use the lenient {@code WireFormat}).
   */
  @Bean
  JsonMapperBuilderCustomizer strictRequestBodies() {
    return builder ->
        builder
            .enable(
                DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(
                LogicalType.Textual,
                c ->
                    c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsEmpty));
  }

  /**
   * Replaces Tomcat's HTML error report with {@link ProblemReportValve}; runs after Boot's own
   * customizer, which adds a plain {@code ErrorReportValve}.
   */
  @Bean
  @org.springframework.core.annotation.Order(org.springframework.core.Ordered.LOWEST_PRECEDENCE)
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
    return factory ->
        factory.addContextCustomizers(
            context -> {
              var host = context.getParent();
              if (host == null) {
                return;
              }
              for (var valve : host.getPipeline().getValves()) {
                if (valve instanceof ErrorReportValve) {
                  host.getPipeline().removeValve(valve);
                }
              }
              host.getPipeline().addValve(new ProblemReportValve());
              if (host instanceof StandardHost standardHost) {
                standardHost.setErrorReportValveClass(ProblemReportValve.class.getName());
              }
            });
  }

  @Bean
  OpenAPI gatewayOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("cryptshare-pipeline api-gateway")
                .version("v1")
                .description("REST API of CONTRACT.md §2: finalize transfers, follow their state."))
        .components(
            new Components()
                .addSecuritySchemes(
                    "bearer",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("An API key, or a JWT when JWT mode is configured")))
        .addSecurityItem(new SecurityRequirement().addList("bearer"));
  }

  /**
   * Every error answer of the API is an RFC 9457 problem (see {@code ProblemHandler}), so the
   * operations name their 4xx and 5xx statuses with a description only, and the document gives each
   * of them the problem+json body here, in one place.
   */
  @Bean
  OpenApiCustomizer problemResponses() {
    return openApi -> {
      var problem =
          SpringDocAnnotationsUtils.extractSchema(
              openApi.getComponents(), ProblemDetail.class, null, null, openApi.getSpecVersion());
      openApi.getPaths().values().stream()
          .flatMap(path -> path.readOperations().stream())
          .flatMap(operation -> operation.getResponses().entrySet().stream())
          .filter(response -> response.getKey().charAt(0) >= '4')
          .forEach(
              response ->
                  response
                      .getValue()
                      .setContent(
                          new Content()
                              .addMediaType(
                                  "application/problem+json", new MediaType().schema(problem))));
      // Before this runs, springdoc gave the event stream's error answers the method's return
      // type; that schema is no part of the API.
      openApi.getComponents().getSchemas().remove(SseEmitter.class.getSimpleName());
    };
  }
}
