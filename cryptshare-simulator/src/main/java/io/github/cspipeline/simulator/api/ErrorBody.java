package io.github.cspipeline.simulator.api;

/** The error envelope of the Cryptshare API. */
public record ErrorBody(int errorCode, String errorMessage) {}
