package io.netpoll.samples

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe

/** A missing client skips its tests on a developer machine and fails them under CI=1. */
class ToolsSpec : StringSpec({
    val missing = "netpoll-no-such-client"

    "a missing tool disables its tests outside CI and enables them (to fail) under CI=1" {
        Tools.has(missing, ci = false) shouldBe false
        Tools.has(missing, ci = true) shouldBe true
        Tools.has("sh", ci = false) shouldBe true
    }

    "running a missing tool fails with its name" {
        shouldThrow<AssertionError> { Tools.run(missing, "--version") }.message shouldBe
            "'$missing' is not installed: the samples are tested with real clients (.ci/run installs them)"
    }
})
