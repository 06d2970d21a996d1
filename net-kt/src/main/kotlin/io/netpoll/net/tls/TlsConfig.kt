package io.netpoll.net.tls

import java.net.InetAddress
import java.net.InetSocketAddress
import java.nio.file.Path
import java.security.KeyStore
import java.security.cert.X509Certificate
import javax.net.ssl.KeyManager
import javax.net.ssl.KeyManagerFactory
import javax.net.ssl.SNIHostName
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLEngine
import javax.net.ssl.TrustManager
import javax.net.ssl.TrustManagerFactory
import javax.net.ssl.X509ExtendedTrustManager

/** The lowest protocol version a [TlsConfig] accepts (Go's Config.MinVersion); never below 1.2. */
enum class TlsVersion(internal val protocols: Array<String>) {
    TLS12(arrayOf("TLSv1.3", "TLSv1.2")),
    TLS13(arrayOf("TLSv1.3")),
}

/** What a server asks of clients' certificates (Go's ClientAuthType, the three modes that matter). */
enum class ClientAuth {
    /** No certificate is asked for. */
    NONE,
    /** A certificate is asked for; one that is sent must verify against the client CAs. */
    REQUEST,
    /** A certificate is required and must verify against the client CAs. */
    REQUIRE_AND_VERIFY,
}

/**
 * An immutable TLS configuration, like Go's tls.Config, turned into configured [SSLEngine]s by
 * [clientEngine] and [serverEngine]. The SSLContext of each role is built once, on first use, so
 * making an engine per connection costs only the engine.
 *
 * Client: trusts [Builder.rootCAs] (PEM files) or the JDK's default trust store, sends SNI for
 * the server name (never for an IP literal, as Go does), verifies the server's certificate covers
 * that name or address (endpoint identification "HTTPS"), and offers the first certificate
 * that fits when the server asks. Server: presents the certificate whose names cover the client's
 * SNI name, else the first; verifies client certificates against [Builder.clientCAs] (or the
 * default trust store) as [clientAuth] says. Both: [alpn] in preference order, [minVersion].
 *
 * A Java user who already has a KeyStore or a whole SSLContext passes it instead of PEM files;
 * versions, ALPN, SNI, client auth and hostname verification still apply per engine.
 */
class TlsConfig private constructor(b: Builder) {
    val certificates: List<TlsCertificate> = b.certificates.toList()
    val serverName: String? = b.serverName
    val alpn: List<String> = b.alpn.toList()
    val minVersion: TlsVersion = b.minVersion
    val clientAuth: ClientAuth = b.clientAuth
    /** Go's InsecureSkipVerify: the peer's certificate and name are not checked at all. */
    val insecureSkipVerify: Boolean = b.insecureSkipVerify
    private val rootCAs: List<X509Certificate>? = b.rootCAs?.toList()
    private val clientCAs: List<X509Certificate>? = b.clientCAs?.toList()
    private val keyStore: Pair<KeyStore, CharArray>? = b.keyStore
    private val sslContext: SSLContext? = b.sslContext

    init {
        if (sslContext != null && (certificates.isNotEmpty() || keyStore != null || rootCAs != null || clientCAs != null)) {
            throw IllegalArgumentException("an SSLContext already holds its keys and trust: give it alone, without certificates, a key store or CA files")
        }
        if (certificates.isNotEmpty() && keyStore != null) {
            throw IllegalArgumentException("give certificates either as PEM key pairs or as a KeyStore, not both")
        }
        if (insecureSkipVerify) {
            logger.log(System.Logger.Level.WARNING, "TLS configuration with insecureSkipVerify: peers' certificates are NOT verified (tests only)")
        }
    }

    internal val clientContext: SSLContext by lazy { sslContext ?: context(rootCAs) }
    internal val serverContext: SSLContext by lazy { sslContext ?: context(clientCAs) }

    private fun context(trusted: List<X509Certificate>?): SSLContext =
        SSLContext.getInstance("TLS").apply { init(keyManagers(), trustManagers(trusted), null) }

    private fun keyManagers(): Array<KeyManager>? = when {
        certificates.isNotEmpty() -> arrayOf(SniKeyManager(certificates))
        keyStore != null -> KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm())
            .apply { init(keyStore.first, keyStore.second) }.keyManagers
        else -> null
    }

    private fun trustManagers(trusted: List<X509Certificate>?): Array<TrustManager> {
        if (insecureSkipVerify) return arrayOf(TrustEveryone)
        val store = trusted?.let { certs ->
            KeyStore.getInstance(KeyStore.getDefaultType()).apply {
                load(null, null)
                certs.forEachIndexed { i, c -> setCertificateEntry("ca$i", c) }
            }
        }
        return TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).apply { init(store) }.trustManagers
    }

    /**
     * An engine for a client connection to [peer]: the name checked against the server's
     * certificate and sent as SNI is [serverName], else the host [peer] was dialled by.
     */
    fun clientEngine(peer: InetSocketAddress): SSLEngine = clientEngine(peer.hostString, peer.port)

    /**
     * An engine for a client connection to [dialled] (a DNS name or an IP literal) on [port];
     * [serverName], when set, replaces it as the name checked and sent.
     */
    fun clientEngine(dialled: String, port: Int): SSLEngine {
        val host = serverName ?: dialled
        val engine = clientContext.createSSLEngine(host, port)
        engine.useClientMode = true
        engine.sslParameters = engine.sslParameters.apply {
            protocols = minVersion.protocols
            if (alpn.isNotEmpty()) applicationProtocols = alpn.toTypedArray()
            if (!isIpLiteral(host)) serverNames = listOf(SNIHostName(host))
            if (!insecureSkipVerify) endpointIdentificationAlgorithm = "HTTPS"
        }
        return engine
    }

    /** An engine for a server connection; throws IllegalStateException if there is no certificate. */
    fun serverEngine(): SSLEngine {
        check(certificates.isNotEmpty() || keyStore != null || sslContext != null) {
            "a TLS server needs a certificate: add one with certificate(certFile, keyFile) or keyStore(...)"
        }
        val engine = serverContext.createSSLEngine()
        engine.useClientMode = false
        engine.sslParameters = engine.sslParameters.apply {
            protocols = minVersion.protocols
            if (alpn.isNotEmpty()) applicationProtocols = alpn.toTypedArray()
            when (clientAuth) {
                ClientAuth.NONE -> {}
                ClientAuth.REQUEST -> wantClientAuth = true
                ClientAuth.REQUIRE_AND_VERIFY -> needClientAuth = true
            }
        }
        return engine
    }

    /** Builds a [TlsConfig]; every setter returns the builder so Java can chain them. */
    class Builder {
        internal val certificates = ArrayList<TlsCertificate>()
        internal var rootCAs: MutableList<X509Certificate>? = null
        internal var clientCAs: MutableList<X509Certificate>? = null
        internal var keyStore: Pair<KeyStore, CharArray>? = null
        internal var sslContext: SSLContext? = null
        var serverName: String? = null
        internal val alpn = ArrayList<String>()
        var minVersion: TlsVersion = TlsVersion.TLS12
        var clientAuth: ClientAuth = ClientAuth.NONE
        internal var insecureSkipVerify = false

        /** Adds a chain and key from PEM files (see [TlsCertificate.load]); the first added is the default. */
        @Throws(java.io.IOException::class, java.security.GeneralSecurityException::class)
        fun certificate(certFile: Path, keyFile: Path): Builder = apply { certificates.add(TlsCertificate.load(certFile, keyFile)) }
        fun certificate(certificate: TlsCertificate): Builder = apply { certificates.add(certificate) }

        /** The keys (and chains) of [store], as a JDK KeyManagerFactory reads them with [password]. */
        fun keyStore(store: KeyStore, password: CharArray): Builder = apply { keyStore = store to password.clone() }

        /** An SSLContext the caller built: it replaces certificates and trust; the rest still applies. */
        fun sslContext(context: SSLContext): Builder = apply { sslContext = context }

        /** Trust these PEM files' CA certificates, instead of the JDK's defaults, to verify servers. */
        @Throws(java.io.IOException::class, java.security.GeneralSecurityException::class)
        fun rootCAs(vararg pemFiles: Path): Builder = apply { rootCAs = (rootCAs ?: ArrayList()).apply { pemFiles.forEach { addAll(Pem.certificates(it)) } } }

        /** Verify client certificates against these PEM files' CAs instead of the JDK's defaults. */
        @Throws(java.io.IOException::class, java.security.GeneralSecurityException::class)
        fun clientCAs(vararg pemFiles: Path): Builder = apply { clientCAs = (clientCAs ?: ArrayList()).apply { pemFiles.forEach { addAll(Pem.certificates(it)) } } }

        fun serverName(name: String): Builder = apply { serverName = name }
        fun alpn(vararg protocols: String): Builder = apply { alpn.clear(); alpn.addAll(protocols) }
        fun minVersion(version: TlsVersion): Builder = apply { minVersion = version }
        fun clientAuth(mode: ClientAuth): Builder = apply { clientAuth = mode }

        /**
         * Go's InsecureSkipVerify, for tests only: accepts ANY certificate for ANY name, so anyone
         * on the path can read and change the traffic. Logged as a warning when built.
         */
        fun insecureSkipVerifyForTestsOnly(): Builder = apply { insecureSkipVerify = true }

        fun build(): TlsConfig = TlsConfig(this)
    }

    companion object {
        private val logger = System.getLogger(TlsConfig::class.java.name)

        @JvmStatic
        fun builder(): Builder = Builder()

        private fun isIpLiteral(host: String): Boolean =
            host.contains(':') || host.isNotEmpty() && host.all { it.isDigit() || it == '.' } && runCatching { InetAddress.getByName(host) }.isSuccess
    }
}

/** Kotlin DSL: `tlsConfig { certificate(cert, key); alpn("http/1.1") }`. */
fun tlsConfig(block: TlsConfig.Builder.() -> Unit): TlsConfig = TlsConfig.Builder().apply(block).build()

/** The trust manager of insecureSkipVerify: every chain passes, and no name is checked. */
private object TrustEveryone : X509ExtendedTrustManager() {
    override fun checkClientTrusted(chain: Array<out X509Certificate>?, authType: String?, socket: java.net.Socket?) {}
    override fun checkServerTrusted(chain: Array<out X509Certificate>?, authType: String?, socket: java.net.Socket?) {}
    override fun checkClientTrusted(chain: Array<out X509Certificate>?, authType: String?, engine: SSLEngine?) {}
    override fun checkServerTrusted(chain: Array<out X509Certificate>?, authType: String?, engine: SSLEngine?) {}
    override fun checkClientTrusted(chain: Array<out X509Certificate>?, authType: String?) {}
    override fun checkServerTrusted(chain: Array<out X509Certificate>?, authType: String?) {}
    override fun getAcceptedIssuers(): Array<X509Certificate> = emptyArray()
}
