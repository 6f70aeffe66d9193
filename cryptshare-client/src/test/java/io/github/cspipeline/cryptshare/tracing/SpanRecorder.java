package io.github.cspipeline.cryptshare.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.List;

/** Collects every span that ends, for the tests to look at. */
public record SpanRecorder(List<ReadableSpan> ended) implements SpanProcessor {
  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    ended.add(span);
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }
}
