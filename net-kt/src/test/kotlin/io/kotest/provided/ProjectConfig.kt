package io.kotest.provided

import io.kotest.core.config.AbstractProjectConfig
import io.kotest.core.extensions.Extension
import io.netpoll.testing.KotestLeakDetector

/** Loaded by Kotest 6 by this name for every run of net-kt's and samples' specs. */
class ProjectConfig : AbstractProjectConfig() {
    override val extensions: List<Extension> = listOf(KotestLeakDetector)
}
