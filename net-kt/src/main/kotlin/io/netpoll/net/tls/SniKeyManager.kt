package io.netpoll.net.tls

import java.net.Socket
import java.security.Principal
import java.security.PrivateKey
import java.security.cert.X509Certificate
import javax.net.ssl.ExtendedSSLSession
import javax.net.ssl.SNIHostName
import javax.net.ssl.SSLEngine
import javax.net.ssl.SSLSocket
import javax.net.ssl.StandardConstants
import javax.net.ssl.X509ExtendedKeyManager

/**
 * Offers [certs] to the handshake, choosing like Go's Config.getCertificate: on a server, the
 * first certificate whose names cover the client's SNI host name and whose key fits the key type
 * the JDK asks about; when no name matches, the first certificate; on a client, the first that fits. Aliases are
 * the certificates' indexes. The JDK asks once per acceptable key type and moves on at null.
 */
internal class SniKeyManager(private val certs: List<TlsCertificate>) : X509ExtendedKeyManager() {
    override fun chooseEngineServerAlias(keyType: String, issuers: Array<out Principal>?, engine: SSLEngine?): String? =
        chooseServer(keyType, engine?.handshakeSession as? ExtendedSSLSession)

    override fun chooseServerAlias(keyType: String, issuers: Array<out Principal>?, socket: Socket?): String? =
        chooseServer(keyType, (socket as? SSLSocket)?.handshakeSession as? ExtendedSSLSession)

    override fun chooseEngineClientAlias(keyTypes: Array<out String>, issuers: Array<out Principal>?, engine: SSLEngine?): String? =
        chooseClient(keyTypes)

    override fun chooseClientAlias(keyTypes: Array<out String>, issuers: Array<out Principal>?, socket: Socket?): String? =
        chooseClient(keyTypes)

    override fun getServerAliases(keyType: String, issuers: Array<out Principal>?): Array<String> = aliases(keyType)
    override fun getClientAliases(keyType: String, issuers: Array<out Principal>?): Array<String> = aliases(keyType)
    override fun getCertificateChain(alias: String): Array<X509Certificate>? = cert(alias)?.chain?.toTypedArray()
    override fun getPrivateKey(alias: String): PrivateKey? = cert(alias)?.privateKey

    private fun cert(alias: String): TlsCertificate? = alias.toIntOrNull()?.let { certs.getOrNull(it) }

    private fun aliases(keyType: String): Array<String> = certs.indices.filter { fits(certs[it], keyType) }.map { it.toString() }.toTypedArray()

    private fun chooseClient(keyTypes: Array<out String>): String? =
        certs.indices.firstOrNull { i -> keyTypes.any { fits(certs[i], it) } }?.toString()

    /*
     * The JDK calls this once per key type the client accepts, in its order of preference, so
     * the SNI match is made over all certificates before the key type is looked at: answering
     * for the first type with a certificate for another name would hide the right one.
     */
    private fun chooseServer(keyType: String, session: ExtendedSSLSession?): String? {
        val host = session?.requestedServerNames
            ?.firstOrNull { it.type == StandardConstants.SNI_HOST_NAME }
            ?.let { (it as? SNIHostName)?.asciiName ?: SNIHostName(it.encoded).asciiName }
            ?.lowercase()
        val named = if (host == null) emptyList() else certs.indices.filter { covers(certs[it].leaf, host) }
        return named.ifEmpty { listOf(0) }.firstOrNull { fits(certs[it], keyType) }?.toString()
    }

    private companion object {
        /** The JDK names key types by the key's algorithm; an RSA key also signs RSASSA-PSS. */
        fun fits(cert: TlsCertificate, keyType: String): Boolean {
            val alg = cert.privateKey.algorithm
            return when (keyType) {
                "RSA", "RSASSA-PSS" -> alg == "RSA" || alg == keyType
                "EdDSA", "Ed25519", "Ed448" -> alg == "EdDSA" || alg == "Ed25519" || alg == "Ed448"
                else -> alg == keyType || (keyType.startsWith("EC") && alg == "EC")
            }
        }

        /** Go's Certificate.VerifyHostname for DNS names: exact, or one leftmost "*" label. */
        fun covers(cert: X509Certificate, host: String): Boolean {
            val dns = cert.subjectAlternativeNames.orEmpty().filter { it[0] == 2 }.map { (it[1] as String).lowercase().trimEnd('.') }
            return dns.any { name ->
                name == host || name.startsWith("*.") && host.indexOf('.').let { dot -> dot > 0 && host.substring(dot) == name.substring(1) }
            }
        }
    }
}
