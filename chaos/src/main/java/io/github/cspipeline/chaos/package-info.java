/** The chaos suite: separate processes, load, kills, faults, and the audit of the guarantee. */
@NullMarked
package io.github.cspipeline.chaos;

import org.jspecify.annotations.NullMarked;
