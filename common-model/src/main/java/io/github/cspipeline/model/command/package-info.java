@NullMarked
package io.github.cspipeline.model.command;

import org.jspecify.annotations.NullMarked;
