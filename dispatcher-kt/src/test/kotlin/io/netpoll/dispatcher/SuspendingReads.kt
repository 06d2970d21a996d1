package io.netpoll.dispatcher

import io.netpoll.poller.PollDesc
import io.netpoll.poller.Waiter
import io.netpoll.poller.fd.NetFD
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.suspendCancellableCoroutine
import java.nio.ByteBuffer

/** A parked coroutine in a PollDesc slot: the poller's wake resumes it through its dispatcher. */
internal class ContinuationWaiter(private val cont: CancellableContinuation<Unit>) : Waiter() {
    override fun wake() {
        cont.resumeWith(Result.success(Unit))
    }
}

/** The read retry loop (Go's fd.Read): try, and on EAGAIN park the coroutine on the PollDesc. */
internal suspend fun NetFD.readSuspending(dst: ByteBuffer): Int {
    val pd = pollDesc()
    check(pd.prepare(PollDesc.MODE_READ))
    while (true) {
        val n = tryRead(dst)
        if (n != NetFD.EAGAIN) {
            return n
        }
        while (true) {
            var r = PollDesc.OK
            suspendCancellableCoroutine { cont ->
                val w = ContinuationWaiter(cont)
                r = pd.waitFor(PollDesc.MODE_READ, w)
                if (r == PollDesc.PARKED) {
                    cont.invokeOnCancellation { pd.cancelWait(PollDesc.MODE_READ, w) }
                } else {
                    cont.resumeWith(Result.success(Unit))
                }
            }
            if (r == PollDesc.PARKED) {
                r = pd.resume(PollDesc.MODE_READ)
            }
            if (r != PollDesc.AGAIN) {
                check(r)
                break
            }
        }
    }
}
