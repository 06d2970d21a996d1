package io.netpoll.net.tls;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TlsConfig from Java: the chained builder, and the checked exceptions loading declares. */
class TlsConfigJavaTest {
    @Test
    void theChainedBuilderConfiguresClientAndServerEngines() {
        TlsConfig config = TlsConfig.builder()
                .serverName("example.com")
                .alpn("h2", "http/1.1")
                .minVersion(TlsVersion.TLS13)
                .clientAuth(ClientAuth.REQUEST)
                .build();
        SSLEngine client = config.clientEngine("192.0.2.1", 443);   // the server name wins over the peer's
        assertTrue(client.getUseClientMode());
        assertEquals(List.of("TLSv1.3"), List.of(client.getSSLParameters().getProtocols()));
        assertEquals(List.of("h2", "http/1.1"), List.of(client.getSSLParameters().getApplicationProtocols()));
        assertEquals("example.com", ((SNIHostName) client.getSSLParameters().getServerNames().get(0)).getAsciiName());
        assertEquals("HTTPS", client.getSSLParameters().getEndpointIdentificationAlgorithm());
        assertThrows(IllegalStateException.class, config::serverEngine);   // no certificate
    }

    @Test
    void aMissingPemFileIsNoSuchFileException() {
        assertThrows(NoSuchFileException.class, () -> TlsCertificate.load(Path.of("/nonexistent/cert.pem"), Path.of("/nonexistent/key.pem")));
        assertThrows(NoSuchFileException.class, () -> TlsConfig.builder().rootCAs(Path.of("/nonexistent/ca.pem")));
    }
}
