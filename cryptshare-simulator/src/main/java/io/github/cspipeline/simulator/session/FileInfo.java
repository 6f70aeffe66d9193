package io.github.cspipeline.simulator.session;

import org.jspecify.annotations.Nullable;

/** A file as it goes into a transfer. */
public record FileInfo(String id, String fileName, long size, @Nullable String checksum) {}
