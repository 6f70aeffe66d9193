/**
 * The dead-letter tool: lists, shows and replays the records that the pipeline's consumers set
 * aside on their dead-letter topics, and remembers each replay so that it happens once (ADR 029).
 */
@NullMarked
package io.github.cspipeline.deadletters;

import org.jspecify.annotations.NullMarked;
