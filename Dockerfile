# One image per service: docker build --build-arg MODULE=api-gateway .
# Builds inside the image with the Maven wrapper, so no local JDK is needed.
FROM eclipse-temurin:21-jdk AS build
ARG MODULE
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -ntp -pl "${MODULE}" -am package -DskipTests -DskipChecks

FROM eclipse-temurin:21-jre
ARG MODULE
RUN useradd --system --uid 10001 app
USER app
WORKDIR /app
COPY --from=build /src/${MODULE}/target/${MODULE}.jar app.jar
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
