package io.netpoll.docs

import io.netpoll.net.BufferPool
import io.netpoll.net.Conn

val pool = BufferPool(16 * 1024)          // shared by every connection

/** Echoes [c] until end of stream, holding a buffer only while there is something to read. */
suspend fun echo(c: Conn) {
    while (true) {
        c.awaitReadable()                 // idle: no buffer held
        val buf = pool.get()
        try {
            while (true) {
                val n = c.tryRead(buf)
                if (n < 0) return         // end of stream
                if (n == 0) break         // would block: give the buffer back and wait
                c.write(buf.flip()); buf.clear()
            }
        } finally { pool.put(buf) }
    }
}
