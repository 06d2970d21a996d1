@file:OptIn(io.kotest.common.KotestInternal::class)

package io.netpoll.testing

import io.kotest.core.spec.SpecRef
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.TestEngineLauncher
import io.kotest.engine.listener.CollectingTestEngineListener
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.provided.ProjectConfig
import io.netpoll.poller.fd.NetFD
import io.netpoll.poller.sys.Sys

/**
 * The Kotest leak detector can fail: a child Kotest engine run with this module's ProjectConfig
 * runs a spec that leaves a socketpair open, and that spec must fail naming the leak; an exempt
 * spec that does the same passes.
 */
class KotestLeakDetectorSpec : FunSpec({
    suspend fun run(spec: kotlin.reflect.KClass<out io.kotest.core.spec.Spec>): Throwable? {
        val collected = CollectingTestEngineListener()
        Leaky.armed = true
        System.setProperty("netpoll.leakCheck.settleMillis", "300")
        try {
            TestEngineLauncher()
                .withListener(collected)
                .withProjectConfig(ProjectConfig())
                .withSpecRefs(SpecRef.Reference(spec, spec.java.name))
                .execute()
        } finally {
            Leaky.armed = false
            System.clearProperty("netpoll.leakCheck.settleMillis")
            Leaky.close()
        }
        collected.tests.values.all { it.isSuccess } shouldBe true
        return collected.specs[spec]?.errorOrNull
    }

    test("a spec that leaves a NetFD open fails with a message naming the leak") {
        val failure = run(LeakySpec::class)
        val m = failure?.message ?: error("the leaky spec passed")
        println("KotestLeakDetectorSpec: child spec failed with: $m")
        m shouldContain LeakySpec::class.java.name
        m shouldContain "2 NetFDs open"
        m shouldContain "socket:["
    }

    test("a spec marked AllowsOpenDescriptors is not checked") {
        run(ExemptLeakySpec::class) shouldBe null
    }
})

/** What the child specs leak; they open nothing unless a child run armed them. */
internal object Leaky {
    @Volatile
    var armed = false
    private val leaked = mutableListOf<NetFD>()

    @Synchronized
    fun leak() {
        if (armed) {
            leaked += NetFD.socketPair(Sys.SOCK_STREAM)
        }
    }

    @Synchronized
    fun close() {
        leaked.forEach { it.close() }
        leaked.clear()
    }
}

class LeakySpec : FunSpec({
    test("opens a socketpair and never closes it (only in KotestLeakDetectorSpec's child run)") { Leaky.leak() }
})

@AllowsOpenDescriptors("the test of the opt-out")
class ExemptLeakySpec : FunSpec({
    test("opens a socketpair and never closes it (only in KotestLeakDetectorSpec's child run)") { Leaky.leak() }
})
