package io.netpoll.net.tls

import io.kotest.assertions.throwables.shouldThrowExactly
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.security.spec.InvalidKeySpecException

/** [Der]: the few encodings the PEM key wrapping writes and reads. */
class DerSpec : FunSpec({
    test("object identifiers round-trip, with multi-byte arcs, and encode as X.690 says") {
        for (oid in listOf("1.2.840.10045.2.1", "1.2.840.113549.1.1.1", "1.3.101.112", "1.3.132.0.34", "2.999.3")) {
            Der.oidString(Der.parse(Der.oid(oid))) shouldBe oid
        }
        Der.oid("1.2.840.10045.3.1.7").toList() shouldBe
            listOf(0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07).map { it.toByte() }
    }

    test("lengths of 127, 128, 255, 256 and 65,536 bytes take the short and long forms and parse back") {
        for (n in listOf(0, 127, 128, 255, 256, 65_536)) {
            val der = Der.tlv(Der.OCTET_STRING, ByteArray(n) { it.toByte() })
            der.size shouldBe n + 2 + when { n < 0x80 -> 0; n < 0x100 -> 1; n < 0x10000 -> 2; else -> 3 }
            Der.parse(der).bytes() shouldBe ByteArray(n) { it.toByte() }
        }
    }

    test("a truncated element, a length past the end and trailing bytes are InvalidKeySpecException") {
        shouldThrowExactly<InvalidKeySpecException> { Der.parse(byteArrayOf(0x30)) }.message shouldContain "truncated"
        shouldThrowExactly<InvalidKeySpecException> { Der.parse(byteArrayOf(0x30, 0x05, 0x02, 0x01, 0x00)) }.message shouldContain "claims 5 bytes"
        shouldThrowExactly<InvalidKeySpecException> { Der.parse(byteArrayOf(0x05, 0x00, 0x00)) }.message shouldContain "after the outer element"
        shouldThrowExactly<InvalidKeySpecException> { Der.sequence(Der.tlv(Der.INTEGER, byteArrayOf(1))).let { Der.parse(it).children()[0] }.let(Der::oidString) }
    }
})
