package io.netpoll.net.tls

import java.security.cert.X509Certificate

/** What a TLS handshake settled (Go's tls.ConnectionState), from [TlsConn.connectionState]. */
data class TlsConnectionState(
    val handshakeComplete: Boolean,
    /** "TLSv1.3" or "TLSv1.2" (the JDK's names). */
    val version: String,
    /** The IANA name, e.g. "TLS_AES_128_GCM_SHA256". */
    val cipherSuite: String,
    /** The ALPN protocol both sides chose (Go's NegotiatedProtocol); null if none. */
    val negotiatedProtocol: String?,
    /** The SNI name: on a server the one the client sent, on a client the one it sent or dialled. */
    val serverName: String?,
    /** The peer's chain, leaf first; empty if the peer sent none (a client without a certificate). */
    val peerCertificates: List<X509Certificate>,
)
