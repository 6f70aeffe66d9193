# syntax=docker/dockerfile:1
# One image per service, built inside the image with the Maven wrapper (no local JDK needed):
#   docker build --build-arg MODULE=api-gateway -t cryptshare-pipeline/api-gateway .
# MODULE: api-gateway, transfer-worker, status-poller or cryptshare-simulator.

FROM eclipse-temurin:21-jdk AS build
ARG MODULE
WORKDIR /src
# Dependency layer: the wrapper and the POMs only, so that the download of Maven, the plugins and
# every dependency is cached until a POM changes, not redone on each change of the sources.
COPY mvnw ./
COPY .mvn/ .mvn/
COPY pom.xml ./
COPY common-model/pom.xml common-model/
COPY kafka-support/pom.xml kafka-support/
COPY cryptshare-client/pom.xml cryptshare-client/
COPY cryptshare-testkit/pom.xml cryptshare-testkit/
COPY cryptshare-simulator/pom.xml cryptshare-simulator/
COPY api-gateway/pom.xml api-gateway/
COPY transfer-worker/pom.xml transfer-worker/
COPY status-poller/pom.xml status-poller/
COPY local-kafka/pom.xml local-kafka/
COPY chaos/pom.xml chaos/
COPY dead-letter-tool/pom.xml dead-letter-tool/
COPY examples/event-consumer/pom.xml examples/event-consumer/
COPY e2e-tests/pom.xml e2e-tests/
COPY deploy-tests/pom.xml deploy-tests/
# A build of the empty modules resolves exactly what the real build uses (go-offline would also
# fetch the site and reporting plugins, and misses artifacts plugins resolve lazily).
RUN ./mvnw -B -ntp -q -pl "${MODULE}" -am package -Dmaven.test.skip=true -DskipChecks \
      -Dspring-boot.repackage.skip=true \
 && rm -rf target */target
# Sources: only this layer and the ones after it are rebuilt when the code changes.
COPY . .
RUN ./mvnw -B -ntp -q -o -pl "${MODULE}" -am package -Dmaven.test.skip=true -DskipChecks \
 && java -Djarmode=tools -jar "${MODULE}/target/${MODULE}.jar" extract --layers --launcher \
      --destination /extracted

FROM eclipse-temurin:21-jre
WORKDIR /app
# Spring Boot's layers, least often changed first: a new build of the code replaces the last
# layer (a few hundred KB) only; the libraries stay cached in registries and on nodes.
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
# A numeric user and group (not in /etc/passwd, nothing needed there): Kubernetes'
# runAsNonRoot can verify it, and files written to mounted volumes belong to 10001.
USER 10001:10001
# JVM flags for containers (the JVM reads the cgroup limits itself; container support is on):
# - MaxRAMPercentage=75: heap = 75 % of the container's memory limit, the rest for metaspace,
#   threads, direct buffers and the gateway's RocksDB (set the limit, not -Xmx).
# - ExitOnOutOfMemoryError: an instance out of heap stops, and the orchestrator restarts it,
#   instead of limping on; Kafka hands its partitions to the other instances.
# - java.io.tmpdir stays /tmp: mount a writable volume there with a read-only root filesystem.
# Add flags without rebuilding through JDK_JAVA_OPTIONS (read by the java launcher), e.g.
# JDK_JAVA_OPTIONS="-XX:ActiveProcessorCount=2 -Xlog:gc:stderr".
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", \
            "org.springframework.boot.loader.launch.JarLauncher"]
