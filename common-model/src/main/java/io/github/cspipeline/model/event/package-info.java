@NullMarked
package io.github.cspipeline.model.event;

import org.jspecify.annotations.NullMarked;
