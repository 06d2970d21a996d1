package io.netpoll.testing

import io.kotest.core.extensions.SpecExtension
import io.kotest.core.spec.Spec
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Kotest adapter of [LeakCheck] (poller-java's test-jar): fails a spec that leaves NetFDs or
 * PollDescs behind when it ends, with a message naming them. Registered for
 * every spec by `io.kotest.provided.ProjectConfig`, the class Kotest 6 loads by default (net-kt's
 * own, which samples gets through net-kt's test-jar); a spec opts out with [AllowsOpenDescriptors].
 */
object KotestLeakDetector : SpecExtension {
    override suspend fun intercept(spec: Spec, execute: suspend (Spec) -> Unit) {
        if (LeakCheck.exempt(spec::class.java)) {
            execute(spec)
            return
        }
        val before = LeakCheck.before()
        execute(spec)
        // leaks() sleeps while counts settle: off the test dispatcher.
        val leaks = withContext(Dispatchers.IO) { before.leaks(spec::class.java.name) }
        if (leaks != null) {
            throw AssertionError(leaks)
        }
    }
}
