@NullMarked
package io.github.cspipeline.example.consumer.event;

import org.jspecify.annotations.NullMarked;
