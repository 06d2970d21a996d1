package io.netpoll.net.tls

import java.nio.file.Path
import java.security.InvalidKeyException
import java.security.PrivateKey
import java.security.Signature
import java.security.cert.X509Certificate

/**
 * A certificate chain (leaf first) and the private key of its leaf, like Go's tls.Certificate.
 * The constructor checks the key matches the leaf's public key, as Go's X509KeyPair does, by
 * signing a probe with the key and verifying it with the certificate: it works for every key
 * algorithm alike and runs once per configuration, never per connection.
 */
class TlsCertificate(chain: List<X509Certificate>, val privateKey: PrivateKey) {
    val chain: List<X509Certificate> = chain.toList()

    init {
        require(this.chain.isNotEmpty()) { "a certificate chain needs at least the leaf certificate" }
        if (!matches(privateKey, this.chain[0])) {
            throw InvalidKeyException("the ${privateKey.algorithm} private key does not match the public key of ${this.chain[0].subjectX500Principal.name}")
        }
    }

    val leaf: X509Certificate get() = chain[0]

    companion object {
        /**
         * Go's tls.LoadX509KeyPair: [certFile] holds the chain's CERTIFICATE blocks, [keyFile] one
         * unencrypted key as PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY".
         */
        @JvmStatic
        @Throws(java.io.IOException::class, java.security.GeneralSecurityException::class)
        fun load(certFile: Path, keyFile: Path): TlsCertificate {
            val chain = Pem.certificates(certFile)
            val key = Pem.privateKey(keyFile)
            try {
                return TlsCertificate(chain, key)
            } catch (e: InvalidKeyException) {
                throw InvalidKeyException("$keyFile does not belong to $certFile: ${e.message}", e)
            }
        }

        private fun matches(key: PrivateKey, cert: X509Certificate): Boolean {
            val alg = when (key.algorithm) {
                "RSA" -> "SHA256withRSA"
                "EC" -> "SHA256withECDSA"
                "EdDSA", "Ed25519", "Ed448" -> "EdDSA"
                "RSASSA-PSS" -> return cert.publicKey.algorithm == "RSASSA-PSS" // its parameters make a probe awkward
                else -> throw InvalidKeyException("unsupported private key algorithm ${key.algorithm}")
            }
            val probe = "netpoll key pair probe".toByteArray()
            return try {
                val sig = Signature.getInstance(alg).apply { initSign(key); update(probe) }.sign()
                Signature.getInstance(alg).apply { initVerify(cert.publicKey); update(probe) }.verify(sig)
            } catch (e: java.security.GeneralSecurityException) {
                false // a key of another algorithm than the certificate's
            }
        }
    }
}
