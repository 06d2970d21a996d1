package io.netpoll.net

import io.netpoll.poller.fd.FdMutex
import io.netpoll.poller.fd.NetFD

/**
 * A coroutine queued for a descriptor's read or write lock (Go's fdMutex.rwlock slow path, with
 * the semaphore replaced by a suspension). The unlocker decides [node]'s result, then wakes the
 * waiter; the lock is then already held on the coroutine's behalf.
 *
 * The fdMutex queue cannot drop a node, so a coroutine cancelled while queued [abandon]s its
 * waiter: the lock handed to it later is released at once by [abandonedWake].
 */
internal class LockWaiter(private val fd: NetFD, private val read: Boolean) : CoroutineWaiter() {
    val node = FdMutex.Node(this)

    override fun abandonedWake() {
        releaseIfHeld()
    }

    /** Unlocks if the lock was handed over (after a cancellation the owner no longer wants it). */
    fun releaseIfHeld() {
        if (node.result() == FdMutex.ACQUIRED) {
            if (read) fd.readUnlock() else fd.writeUnlock()
        }
    }
}
