package io.github.cspipeline.gateway.status;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The refusals both endpoints of one transfer share, for the OpenAPI document: each needs a
 * credential, then makes the same checks ({@code TransferStatusController.visible}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ApiResponse(responseCode = "400", description = "Invalid trackingId or server; unknown server")
@ApiResponse(responseCode = "401", description = "No or bad credential")
@ApiResponse(
    responseCode = "403",
    description = "The credential may not use this server or act for the transfer's sender")
@ApiResponse(responseCode = "404", description = "Unknown transfer")
@interface TransferLookupResponses {}
