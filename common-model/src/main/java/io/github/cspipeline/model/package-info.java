@NullMarked
package io.github.cspipeline.model;

import org.jspecify.annotations.NullMarked;
