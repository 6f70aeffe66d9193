@NullMarked
package io.github.cspipeline.worker;

import org.jspecify.annotations.NullMarked;
