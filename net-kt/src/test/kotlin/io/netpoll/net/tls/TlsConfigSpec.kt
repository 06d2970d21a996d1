package io.netpoll.net.tls

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.throwables.shouldThrowExactly
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.testing.TestCerts
import java.nio.file.Files
import java.nio.file.NoSuchFileException
import java.security.InvalidKeyException
import java.security.UnrecoverableKeyException
import java.security.cert.CertificateException

/** [TlsConfig] and [TlsCertificate] loading openssl's PEM files, and each way loading can fail. */
class TlsConfigSpec : FunSpec({
    val on = TestCerts.available
    fun f(name: String) = TestCerts.file(name)

    for ((key, form, alg) in listOf(
        Triple("rsa.key", "PKCS#8 PRIVATE KEY", "RSA"), Triple("rsa-pkcs1.key", "PKCS#1 RSA PRIVATE KEY", "RSA"),
        Triple("ec.key", "PKCS#8 PRIVATE KEY", "EC"), Triple("ec-sec1.key", "SEC1 EC PRIVATE KEY", "EC"),
        Triple("ed25519.key", "PKCS#8 PRIVATE KEY", "EdDSA"),
    )) {
        val cert = key.substringBefore('-').substringBefore('.') + ".pem"
        test("a $form ($key) loads as the $alg key of $cert").config(enabled = on) {
            Files.readString(f(key)) shouldContain "-----BEGIN ${form.substringAfter(' ')}-----"
            val c = TlsCertificate.load(f(cert), f(key))
            c.privateKey.algorithm shouldBe alg
            c.leaf.subjectX500Principal.name shouldBe "CN=localhost"
            println("loaded $key: ${c.privateKey.algorithm} ${c.privateKey.format}")
        }
    }

    test("the traditional keys become the same PKCS#8 key openssl wrote").config(enabled = on) {
        TlsCertificate.load(f("rsa.pem"), f("rsa-pkcs1.key")).privateKey.encoded shouldBe
            TlsCertificate.load(f("rsa.pem"), f("rsa.key")).privateKey.encoded
        // the JDK re-encodes an EC key without the optional public key; the scalar must match
        val sec1 = TlsCertificate.load(f("ec.pem"), f("ec-sec1.key")).privateKey as java.security.interfaces.ECPrivateKey
        val p8 = TlsCertificate.load(f("ec.pem"), f("ec.key")).privateKey as java.security.interfaces.ECPrivateKey
        sec1.s shouldBe p8.s
        sec1.params.curve shouldBe p8.params.curve
    }

    test("a missing certificate or key file is a NoSuchFileException naming it").config(enabled = on) {
        shouldThrowExactly<NoSuchFileException> { TlsCertificate.load(f("nope.pem"), f("rsa.key")) }.message shouldContain "nope.pem"
        shouldThrowExactly<NoSuchFileException> { TlsCertificate.load(f("rsa.pem"), f("nope.key")) }.message shouldContain "nope.key"
        shouldThrowExactly<NoSuchFileException> { TlsConfig.builder().rootCAs(f("nope-ca.pem")) }
    }

    test("a key file holding only a certificate is an InvalidKeyException naming the file and the block found").config(enabled = on) {
        val e = shouldThrowExactly<InvalidKeyException> { TlsCertificate.load(f("rsa.pem"), f("rsa.pem")) }
        e.message shouldContain "rsa.pem"
        e.message shouldContain "\"CERTIFICATE\""
    }

    test("a certificate file holding only a key is a CertificateException naming the file and the block found").config(enabled = on) {
        val e = shouldThrowExactly<CertificateException> { TlsCertificate.load(f("rsa.key"), f("rsa.key")) }
        e.message shouldContain "rsa.key"
        e.message shouldContain "\"PRIVATE KEY\""
    }

    test("encrypted keys, PKCS#8 or traditional, are refused with an UnrecoverableKeyException naming the block").config(enabled = on) {
        shouldThrowExactly<UnrecoverableKeyException> { TlsCertificate.load(f("rsa.pem"), f("rsa-encrypted.key")) }
            .message shouldContain "\"ENCRYPTED PRIVATE KEY\" PEM block is encrypted"
        shouldThrowExactly<UnrecoverableKeyException> { TlsCertificate.load(f("rsa.pem"), f("rsa-pkcs1-encrypted.key")) }
            .message shouldContain "\"RSA PRIVATE KEY\" PEM block is encrypted"
    }

    test("a key that is not the certificate's is an InvalidKeyException naming both files").config(enabled = on) {
        val same = shouldThrowExactly<InvalidKeyException> { TlsCertificate.load(f("ec.pem"), f("other.key")) }
        same.message shouldContain "other.key does not belong to"
        same.message shouldContain "ec.pem"
        shouldThrowExactly<InvalidKeyException> { TlsCertificate.load(f("rsa.pem"), f("ec.key")) }.message shouldContain "does not match"
    }

    test("a damaged key block is an InvalidKeyException naming the file and block").config(enabled = on) {
        val bad = TestCerts.dir.resolve("damaged.key")
        val lines = Files.readAllLines(f("ec-sec1.key"))
        Files.write(bad, listOf(lines[0], lines[1].substring(0, 20) + "A".repeat(lines[1].length - 20)) + lines.drop(2))
        val e = shouldThrow<InvalidKeyException> { TlsCertificate.load(f("ec.pem"), bad) }
        e.message shouldContain "damaged.key"
        e.message shouldContain "\"EC PRIVATE KEY\""
    }

    test("an SSLContext together with PEM certificates is refused; a server engine needs a certificate").config(enabled = on) {
        shouldThrowExactly<IllegalArgumentException> {
            TlsConfig.builder().sslContext(javax.net.ssl.SSLContext.getDefault()).certificate(f("rsa.pem"), f("rsa.key")).build()
        }
        shouldThrowExactly<IllegalStateException> { tlsConfig { }.serverEngine() }
    }

    test("engines carry the configuration: versions, ALPN, SNI, endpoint identification, client auth").config(enabled = on) {
        val client = tlsConfig { rootCAs(TestCerts.ca); alpn("h2", "http/1.1") }.clientEngine("localhost", 443)
        client.useClientMode shouldBe true
        client.sslParameters.protocols.toList() shouldBe listOf("TLSv1.3", "TLSv1.2")
        client.sslParameters.applicationProtocols.toList() shouldBe listOf("h2", "http/1.1")
        client.sslParameters.endpointIdentificationAlgorithm shouldBe "HTTPS"
        (client.sslParameters.serverNames.single() as javax.net.ssl.SNIHostName).asciiName shouldBe "localhost"
        tlsConfig { }.clientEngine("127.0.0.1", 443).sslParameters.serverNames.orEmpty() shouldBe emptyList()
        tlsConfig { insecureSkipVerifyForTestsOnly() }.clientEngine("localhost", 443).sslParameters.endpointIdentificationAlgorithm shouldBe null
        val server = TlsConfig.builder().certificate(f("ec.pem"), f("ec.key")).minVersion(TlsVersion.TLS13)
            .clientAuth(ClientAuth.REQUIRE_AND_VERIFY).clientCAs(TestCerts.ca).build()
        val s1 = server.serverEngine()
        s1.useClientMode shouldBe false
        s1.needClientAuth shouldBe true
        s1.enabledProtocols.toList() shouldBe listOf("TLSv1.3")
        (server.serverEngine().session.sessionContext === s1.session.sessionContext) shouldBe true // one SSLContext per config
    }
})
