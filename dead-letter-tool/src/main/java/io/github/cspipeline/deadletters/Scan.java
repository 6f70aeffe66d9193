package io.github.cspipeline.deadletters;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dead letters of the topics read, those selected, and what the replays topic remembers.
 *
 * @param partitions partition count of every topic read and every original topic of a selected dead
 *     letter, of those that exist
 */
record Scan(
    List<String> topics,
    List<DeadLetter> all,
    List<DeadLetter> selected,
    Map<String, Replays.Marker> markers,
    Map<String, Integer> partitions) {

  Scan {
    topics = List.copyOf(topics);
    all = List.copyOf(all);
    selected = List.copyOf(selected);
    markers = Map.copyOf(markers);
    partitions = Map.copyOf(partitions);
  }

  static Scan of(Kafka kafka, KafkaOptions options, Selection selection) {
    var partitions = kafka.partitionCounts(options.candidates());
    var topics = options.topicsToRead(partitions);
    var all = topics.isEmpty() ? List.<DeadLetter>of() : kafka.deadLetters(topics);
    var selected = all.stream().filter(selection::matches).toList();
    var counts = new HashMap<>(partitions);
    counts.putAll(
        kafka.partitionCounts(
            selected.stream().map(DeadLetter::originalTopic).filter(Objects::nonNull).toList()));
    return new Scan(topics, all, selected, kafka.markers(options.replaysTopic), counts);
  }

  int skipped() {
    return all.size() - selected.size();
  }

  String source() {
    return topics.isEmpty() ? "no dead-letter topic exists" : String.join(", ", topics);
  }
}
