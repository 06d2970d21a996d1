package io.netpoll.net

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.poller.Netpoll

/**
 * Part of the `io-uring` surefire execution, which repeats the connection suites with
 * `-Dnetpoll.backend=io_uring` and names the backend it expects in `netpoll.test.expectBackend`:
 * fails if the process's Netpoll runs another one, so those suites cannot pass on epoll by
 * mistake. Elsewhere (no expectation set) it is disabled.
 */
class IoUringProcessSpec : FunSpec({
    val expected: String? = System.getProperty("netpoll.test.expectBackend")
    test("the process Netpoll runs the backend the execution asked for").config(enabled = expected != null) {
        Netpoll.get().stats().backend() shouldBe expected
    }
})
