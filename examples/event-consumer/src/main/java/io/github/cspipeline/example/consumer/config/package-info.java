@NullMarked
package io.github.cspipeline.example.consumer.config;

import org.jspecify.annotations.NullMarked;
