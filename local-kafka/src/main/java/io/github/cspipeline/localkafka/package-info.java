/** A single-node KRaft broker for the local run. */
@NullMarked
package io.github.cspipeline.localkafka;

import org.jspecify.annotations.NullMarked;
