@NullMarked
package io.github.cspipeline.example.consumer;

import org.jspecify.annotations.NullMarked;
