package io.netpoll.testing

import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Certificates and keys made at test time by the real `openssl` command in a temp dir (never
 * committed): a CA; server certificates for localhost and 127.0.0.1 with RSA, EC P-256 and
 * Ed25519 keys; one for other.example only (SNI and hostname tests); a client certificate; and
 * every key form openssl writes — PKCS#8 "PRIVATE KEY", traditional "RSA PRIVATE KEY" and
 * "EC PRIVATE KEY", encrypted PKCS#8 and traditional keys, and a PKCS#12 key store. Generated once per JVM.
 *
 * [available] is false when openssl is missing and CI is unset (the reason is printed); under
 * CI=1 a missing openssl is an AssertionError, so CI cannot pass without it.
 */
object TestCerts {
    val ci: Boolean = System.getenv("CI").let { it == "1" || it == "true" }

    val installed: Boolean =
        System.getenv("PATH").orEmpty().split(File.pathSeparator).any { File(it, "openssl").canExecute() }

    val available: Boolean = installed || ci.also {
        if (!it) println("SKIP: 'openssl' is not installed; the TLS tests need it (CI installs it: see .ci/run)")
    }

    val dir: Path by lazy {
        if (!installed) throw AssertionError("'openssl' is not installed: the TLS tests make their certificates with it (.ci/run installs it)")
        Files.createTempDirectory("netpoll-tls").also { d ->
            Runtime.getRuntime().addShutdownHook(Thread { d.toFile().deleteRecursively() })
            generate(d)
        }
    }

    fun file(name: String): Path = dir.resolve(name)
    val ca: Path get() = file("ca.pem")

    /** Runs openssl with [args] in [dir]; a non-zero exit is an AssertionError with its output. */
    fun openssl(dir: Path, vararg args: String) {
        val p = ProcessBuilder("openssl", *args).directory(dir.toFile()).redirectErrorStream(true).start()
        p.outputStream.close()
        val out = p.inputStream.bufferedReader().readText()
        if (!p.waitFor(60, TimeUnit.SECONDS)) { p.destroyForcibly(); throw AssertionError("openssl ${args.joinToString(" ")} took over 60 s") }
        if (p.exitValue() != 0) throw AssertionError("openssl ${args.joinToString(" ")} exited ${p.exitValue()}: $out")
    }

    private fun generate(d: Path) {
        fun ossl(vararg a: String) = openssl(d, *a)
        ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key")
        ossl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=netpoll test CA", "-days", "2", "-out", "ca.pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        fun sign(name: String, cn: String, ext: String) {
            Files.writeString(d.resolve("$name.ext"), ext)
            ossl("req", "-new", "-key", "$name.key", "-subj", "/CN=$cn", "-out", "$name.csr")
            ossl("x509", "-req", "-in", "$name.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-extfile", "$name.ext", "-out", "$name.pem")
        }
        val server = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
        ossl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key")
        sign("rsa", "localhost", server)
        ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.key")
        sign("ec", "localhost", server)
        ossl("genpkey", "-algorithm", "ED25519", "-out", "ed25519.key")
        sign("ed25519", "localhost", server)
        ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key")
        sign("other", "other.example", "subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n")
        ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "client.key")
        sign("client", "netpoll test client", "extendedKeyUsage=clientAuth\n")
        // the traditional forms of the same keys, and encrypted ones
        ossl("pkey", "-in", "rsa.key", "-traditional", "-out", "rsa-pkcs1.key")
        ossl("pkey", "-in", "ec.key", "-traditional", "-out", "ec-sec1.key")
        ossl("pkey", "-in", "rsa.key", "-aes256", "-passout", "pass:secret", "-out", "rsa-encrypted.key")
        ossl("rsa", "-in", "rsa.key", "-traditional", "-aes256", "-passout", "pass:secret", "-out", "rsa-pkcs1-encrypted.key")
        // a PKCS#12 key store, as a Java user would bring one
        ossl("pkcs12", "-export", "-in", "ec.pem", "-inkey", "ec.key", "-name", "server", "-passout", "pass:changeit", "-out", "ec.p12")
    }
}
