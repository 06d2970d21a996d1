package io.kotest.provided

import io.kotest.core.config.AbstractProjectConfig
import io.kotest.core.extensions.Extension
import io.kotest.core.extensions.SpecExtension
import io.kotest.core.spec.Spec
import io.netpoll.testing.LeakCheck
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Loaded by Kotest 6 by this name for dispatcher-kt's specs: the leak check of every other module
 * ([LeakCheck]; net-kt's KotestLeakDetector adapts it the same way, but sits above this module).
 */
class ProjectConfig : AbstractProjectConfig() {
    override val extensions: List<Extension> = listOf(object : SpecExtension {
        override suspend fun intercept(spec: Spec, execute: suspend (Spec) -> Unit) {
            if (LeakCheck.exempt(spec::class.java)) {
                return execute(spec)
            }
            val before = LeakCheck.before()
            execute(spec)
            val leaks = withContext(Dispatchers.IO) { before.leaks(spec::class.java.name) }
            if (leaks != null) {
                throw AssertionError(leaks)
            }
        }
    })
}
