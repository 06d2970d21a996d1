package io.netpoll.net.tls

import java.nio.file.Files
import java.nio.file.Path
import java.security.GeneralSecurityException
import java.security.InvalidKeyException
import java.security.KeyFactory
import java.security.PrivateKey
import java.security.UnrecoverableKeyException
import java.security.cert.CertificateException
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.security.spec.PKCS8EncodedKeySpec
import java.util.Base64

/*
 * PEM files as openssl writes them (RFC 7468, plus the RFC 1421 headers of traditional encrypted
 * keys), read like Go's pem.Decode and x509.ParsePKCS8PrivateKey / ParsePKCS1PrivateKey /
 * ParseECPrivateKey. Keys come in three shapes:
 *   "PRIVATE KEY"      PKCS#8 PrivateKeyInfo: the JDK's KeyFactory reads it once we know the
 *                      algorithm, which is the OID in its AlgorithmIdentifier.
 *   "RSA PRIVATE KEY"  PKCS#1 RSAPrivateKey: wrapped as PKCS#8 with rsaEncryption and NULL params.
 *   "EC PRIVATE KEY"   SEC1 ECPrivateKey: wrapped as PKCS#8 with id-ecPublicKey and the named
 *                      curve taken from the key's own [0] parameters.
 * Encrypted keys ("ENCRYPTED PRIVATE KEY", or a traditional block with Proc-Type: 4,ENCRYPTED)
 * are refused: there is no password to give. Every failure names the file and the block.
 */
internal object Pem {
    class Block(val type: String, val headers: Map<String, String>, val der: ByteArray)

    private val begin = Regex("-----BEGIN ([A-Z0-9 ]+)-----")

    /** Every block of [file], in order; a missing file throws NoSuchFileException. */
    fun blocks(file: Path): List<Block> {
        val lines = Files.readAllLines(file, Charsets.US_ASCII)
        val out = ArrayList<Block>()
        var i = 0
        while (i < lines.size) {
            val m = begin.matchEntire(lines[i].trim())
            i++
            if (m == null) continue
            val type = m.groupValues[1]
            val headers = LinkedHashMap<String, String>()
            val body = StringBuilder()
            var ended = false
            while (i < lines.size) {
                val line = lines[i++].trim()
                if (line == "-----END $type-----") { ended = true; break }
                val colon = line.indexOf(':')
                if (colon > 0 && body.isEmpty()) headers[line.substring(0, colon).trim()] = line.substring(colon + 1).trim()
                else body.append(line)
            }
            if (!ended) throw InvalidKeyException("$file: PEM block \"$type\" has no END line")
            val der = try {
                Base64.getDecoder().decode(body.toString())
            } catch (e: IllegalArgumentException) {
                throw InvalidKeyException("$file: PEM block \"$type\" is not valid base64", e)
            }
            out.add(Block(type, headers, der))
        }
        return out
    }

    /** The certificates of [file] in order (leaf first, as a chain file lists them). */
    fun certificates(file: Path): List<X509Certificate> {
        val all = blocks(file)
        val certs = all.filter { it.type == "CERTIFICATE" }
        if (certs.isEmpty()) {
            throw CertificateException("$file: no \"CERTIFICATE\" PEM block" + found(all))
        }
        val cf = CertificateFactory.getInstance("X.509")
        return certs.mapIndexed { n, b ->
            try {
                cf.generateCertificate(b.der.inputStream()) as X509Certificate
            } catch (e: CertificateException) {
                throw CertificateException("$file: \"CERTIFICATE\" block ${n + 1}: ${e.message}", e)
            }
        }
    }

    /** The one private key of [file]. */
    fun privateKey(file: Path): PrivateKey {
        val all = blocks(file)
        if (all.any { it.type == "ENCRYPTED PRIVATE KEY" || it.type.endsWith("PRIVATE KEY") && it.headers["Proc-Type"]?.contains("ENCRYPTED") == true }) {
            val type = all.first { it.type.endsWith("PRIVATE KEY") }.type
            throw UnrecoverableKeyException("$file: the \"$type\" PEM block is encrypted; decrypt it first (openssl pkey -in $file -out plain.key)")
        }
        val block = all.firstOrNull { it.type.endsWith("PRIVATE KEY") }
            ?: throw InvalidKeyException("$file: no private key PEM block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)" + found(all))
        try {
            return when (block.type) {
                "PRIVATE KEY" -> pkcs8(block.der)
                "RSA PRIVATE KEY" -> pkcs8(Der.sequence(Der.tlv(Der.INTEGER, byteArrayOf(0)), Der.sequence(Der.oid(RSA), Der.tlv(Der.NULL, ByteArray(0))), Der.tlv(Der.OCTET_STRING, block.der)))
                "EC PRIVATE KEY" -> pkcs8(sec1ToPkcs8(block.der))
                else -> throw InvalidKeyException("unsupported key type")
            }
        } catch (e: GeneralSecurityException) {
            throw InvalidKeyException("$file: PEM block \"${block.type}\": ${e.message}", e)
        }
    }

    private const val RSA = "1.2.840.113549.1.1.1"
    private const val RSA_PSS = "1.2.840.113549.1.1.10"
    private const val EC = "1.2.840.10045.2.1"
    private val algorithms = mapOf(RSA to "RSA", RSA_PSS to "RSASSA-PSS", EC to "EC", "1.3.101.112" to "Ed25519", "1.3.101.113" to "Ed448")

    /** A PrivateKeyInfo: SEQUENCE { version, AlgorithmIdentifier SEQUENCE { OID, params }, OCTET STRING }. */
    private fun pkcs8(der: ByteArray): PrivateKey {
        val fields = Der.parse(der).children()
        if (fields.size < 3 || fields[1].tag != Der.SEQUENCE) throw InvalidKeyException("not a PKCS#8 PrivateKeyInfo")
        val oid = Der.oidString(fields[1].children()[0])
        val alg = algorithms[oid] ?: throw InvalidKeyException("key algorithm $oid is not RSA, EC or EdDSA")
        return KeyFactory.getInstance(alg).generatePrivate(PKCS8EncodedKeySpec(der))
    }

    /** SEC1 ECPrivateKey: SEQUENCE { version 1, OCTET STRING key, [0] namedCurve OID, [1] BIT STRING public key }. */
    private fun sec1ToPkcs8(der: ByteArray): ByteArray {
        val params = Der.parse(der).children().firstOrNull { it.tag == Der.explicit(0) }
            ?: throw InvalidKeyException("the EC key names no curve (no [0] parameters)")
        val curve = params.children().singleOrNull()
        if (curve == null || curve.tag != Der.OID) throw InvalidKeyException("the EC key's curve is not a named curve")
        return Der.sequence(Der.tlv(Der.INTEGER, byteArrayOf(0)), Der.sequence(Der.oid(EC), Der.tlv(Der.OID, curve.bytes())), Der.tlv(Der.OCTET_STRING, der))
    }

    private fun found(all: List<Block>): String =
        if (all.isEmpty()) " (no PEM block at all)" else " (found ${all.joinToString { "\"${it.type}\"" }})"
}
