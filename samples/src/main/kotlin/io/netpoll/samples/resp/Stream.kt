package io.netpoll.samples.resp

/**
 * A minimal stream, enough for XADD (in redis-benchmark's default test list) and XLEN:
 * entries with `ms-seq` ids that only grow, as Redis generates them for `*`.
 */
class Stream {
    private val entries = ArrayList<Pair<String, List<ByteArray>>>()
    private var lastMillis = 0L
    private var lastSeq = 0L

    val size: Int get() = entries.size

    /** Appends [fields] under a fresh id (`*`) and returns the id. */
    fun add(nowMillis: Long, fields: List<ByteArray>): String {
        if (nowMillis > lastMillis) {
            lastMillis = nowMillis
            lastSeq = 0
        } else {
            lastSeq++
        }
        val id = "$lastMillis-$lastSeq"
        entries.add(id to fields)
        return id
    }
}
