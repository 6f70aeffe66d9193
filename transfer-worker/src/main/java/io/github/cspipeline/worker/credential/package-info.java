/** Pass-through verification tokens: decrypting {@code FinalizeCommand.credential}. */
@NullMarked
package io.github.cspipeline.worker.credential;

import org.jspecify.annotations.NullMarked;
