package io.netpoll.net.tls

import java.io.ByteArrayOutputStream
import java.security.spec.InvalidKeySpecException

/*
 * Just enough DER (ITU-T X.690) to turn a traditional PEM key into PKCS#8: a reader that walks
 * tag-length-value elements of a byte array, and a writer that frames values. Only definite
 * lengths exist in DER; a length is one byte below 0x80, else 0x80|n followed by n big-endian
 * bytes. Tags here are single-byte (universal or context-specific), which is all PKCS#1, SEC1
 * and PKCS#8 use. Malformed input is an InvalidKeySpecException: the bytes claimed to be a key.
 */
internal object Der {
    const val INTEGER = 0x02
    const val BIT_STRING = 0x03
    const val OCTET_STRING = 0x04
    const val NULL = 0x05
    const val OID = 0x06
    const val SEQUENCE = 0x30

    /** Context-specific constructed tag [n], as SEC1 uses for its optional fields. */
    fun explicit(n: Int): Int = 0xA0 or n

    /** One element: its [tag] and its value bytes [start] until [end] in the source array. */
    class Element(val src: ByteArray, val tag: Int, val start: Int, val end: Int) {
        fun bytes(): ByteArray = src.copyOfRange(start, end)

        /** The elements inside a constructed value. */
        fun children(): List<Element> {
            val out = ArrayList<Element>()
            var p = start
            while (p < end) {
                val e = read(src, p, end)
                out.add(e)
                p = e.end
            }
            return out
        }
    }

    /** The single element that spans all of [der]. */
    fun parse(der: ByteArray): Element {
        val e = read(der, 0, der.size)
        if (e.end != der.size) throw InvalidKeySpecException("DER: ${der.size - e.end} bytes after the outer element")
        return e
    }

    private fun read(src: ByteArray, at: Int, limit: Int): Element {
        if (limit - at < 2) throw InvalidKeySpecException("DER: truncated element at byte $at")
        val tag = src[at].toInt() and 0xFF
        var p = at + 1
        var len = src[p++].toInt() and 0xFF
        if (len >= 0x80) {
            val n = len and 0x7F
            if (n == 0 || n > 3 || limit - p < n) throw InvalidKeySpecException("DER: bad length at byte ${at + 1}")
            len = 0
            repeat(n) { len = (len shl 8) or (src[p++].toInt() and 0xFF) }
        }
        if (len > limit - p) throw InvalidKeySpecException("DER: element at byte $at claims $len bytes, ${limit - p} left")
        return Element(src, tag, p, p + len)
    }

    /** Frames [value] as tag, length, value. */
    fun tlv(tag: Int, value: ByteArray): ByteArray {
        val out = ByteArrayOutputStream(value.size + 6)
        out.write(tag)
        val n = value.size
        when {
            n < 0x80 -> out.write(n)
            n < 0x100 -> { out.write(0x81); out.write(n) }
            n < 0x10000 -> { out.write(0x82); out.write(n shr 8); out.write(n and 0xFF) }
            else -> { out.write(0x83); out.write(n shr 16); out.write((n shr 8) and 0xFF); out.write(n and 0xFF) }
        }
        out.write(value)
        return out.toByteArray()
    }

    fun sequence(vararg parts: ByteArray): ByteArray = tlv(SEQUENCE, parts.fold(ByteArray(0)) { a, b -> a + b })

    /** An encoded OBJECT IDENTIFIER from its dotted form: first two arcs in one byte, then base-128. */
    fun oid(dotted: String): ByteArray {
        val arcs = dotted.split('.').map { it.toLong() }
        val body = ByteArrayOutputStream()
        fun base128(v: Long) {
            var shift = (63 - java.lang.Long.numberOfLeadingZeros(v or 1)) / 7 * 7
            while (shift > 0) { body.write((((v shr shift) and 0x7F) or 0x80).toInt()); shift -= 7 }
            body.write((v and 0x7F).toInt())
        }
        base128(arcs[0] * 40 + arcs[1])
        for (a in arcs.drop(2)) base128(a)
        return tlv(OID, body.toByteArray())
    }

    /** The dotted form of an OBJECT IDENTIFIER element's value. */
    fun oidString(e: Element): String {
        if (e.tag != OID) throw InvalidKeySpecException("DER: expected an OBJECT IDENTIFIER, found tag 0x%02x".format(e.tag))
        val arcs = ArrayList<Long>()
        var v = 0L
        for (i in e.start until e.end) {
            val b = e.src[i].toInt() and 0xFF
            v = (v shl 7) or (b and 0x7F).toLong()
            if (b and 0x80 == 0) {
                if (arcs.isEmpty()) { val first = minOf(v / 40, 2); arcs.add(first); arcs.add(v - first * 40) } else arcs.add(v)
                v = 0
            }
        }
        return arcs.joinToString(".")
    }
}
