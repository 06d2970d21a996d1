package io.netpoll.samples.tls

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.netpoll.net.tls.ClientAuth
import io.netpoll.net.tls.tlsConfig
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.drainToEnd
import io.netpoll.samples.http.HttpServer
import io.netpoll.samples.resp.RespServer
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.testing.Openssl
import io.netpoll.testing.TestCerts

/**
 * The RESP and HTTP samples serving TLS (what `--tls-cert`, `--tls-key` and `--tls-client-ca`
 * configure) to clients nobody here wrote: redis-cli and redis-benchmark with --tls, curl over
 * HTTPS, openssl s_client, wrk against https://; mutual TLS refused without and accepted with a
 * client certificate; plaintext sent to a TLS port refused without disturbing anyone else.
 * Certificates are made by openssl at test time ([TestCerts]).
 */
class TlsClientsSpec : StringSpec({
    val on = TestCerts.available
    fun f(name: String) = TestCerts.file(name)
    fun p(name: String) = TestCerts.file(name).toString()
    val runtime = { ServerRuntime(ServerRuntime.NETPOLL, null) }
    val serverTls = { mutual: Boolean, alpn: String? ->
        tlsConfig {
            certificate(f("ec.pem"), f("ec.key"))
            if (alpn != null) alpn(alpn)
            if (mutual) {
                clientCAs(f("ca.pem"))
                clientAuth = ClientAuth.REQUIRE_AND_VERIFY
            }
        }
    }
    val (resp, _) = if (on) RespServer.start(runtime(), "127.0.0.1:0", tls = serverTls(false, null)) else null to null
    val (respMutual, _) = if (on) RespServer.start(runtime(), "127.0.0.1:0", tls = serverTls(true, null)) else null to null
    val http = if (on) HttpServer().start(runtime(), "127.0.0.1:0", serverTls(false, "http/1.1")) else null
    val httpMutual = if (on) HttpServer().start(runtime(), "127.0.0.1:0", serverTls(true, "http/1.1")) else null
    afterSpec { listOfNotNull(resp, respMutual, http, httpMutual).forEach { it.shutdown() } }

    fun redisCli(port: Int, vararg args: String) =
        Tools.run("redis-cli", "--tls", "--cacert", p("ca.pem"), "-h", "127.0.0.1", "-p", "$port", *args, timeoutSeconds = 20)

    fun curl(vararg args: String) = Tools.run("curl", "-sS", "--cacert", p("ca.pem"), *args, timeoutSeconds = 20)

    "redis-cli --tls: PING, SET and GET".config(enabled = on && Tools.has("redis-cli")) {
        redisCli(resp!!.port, "PING").out.trim() shouldBe "PONG"
        redisCli(resp.port, "SET", "tls-key", "over TLS").out.trim() shouldBe "OK"
        redisCli(resp.port, "GET", "tls-key").out.trim() shouldBe "over TLS"
    }

    "redis-benchmark --tls: SET and GET with no errors".config(enabled = on && Tools.has("redis-benchmark")) {
        val r = Tools.run(
            "redis-benchmark", "--tls", "--cacert", p("ca.pem"), "-h", "127.0.0.1", "-p", "${resp!!.port}",
            "-t", "set,get", "-n", "20000", "-c", "20", "--csv", timeoutSeconds = 120,
        )
        r.exit shouldBe 0
        (r.out + r.err).lowercase() shouldNotContain "error"
        val rows = r.out.lines().filter { it.startsWith("\"SET\"") || it.startsWith("\"GET\"") }
        rows.size shouldBe 2
        println("redis-benchmark --tls -c 20 -n 20000: ${rows.joinToString("; ") { it.split(",").take(2).joinToString(" ") }} requests/s")
    }

    "curl over HTTPS: ALPN http/1.1, GET / and POST /echo".config(enabled = on && Tools.has("curl")) {
        val base = "https://localhost:${http!!.port}"
        val r = curl("-v", "$base/")
        r.out shouldBe "Hello, World!"
        r.err shouldContain "ALPN: server accepted http/1.1"
        curl("-X", "POST", "--data-binary", "sealed both ways", "$base/echo").out shouldBe "sealed both ways"
    }

    "openssl s_client -alpn http/1.1 sees the negotiated protocol and a verified chain".config(enabled = on) {
        val out = Openssl.client(http!!.port, "-alpn", "http/1.1", "-CAfile", p("ca.pem"), "-servername", "localhost").out
        out shouldContain "ALPN protocol: http/1.1"
        out shouldContain "Verify return code: 0 (ok)"
    }

    "wrk against https:// with no socket errors and no non-2xx answers".config(enabled = on && Tools.has("wrk")) {
        val r = Tools.run("wrk", "-t", "1", "-c", "16", "-d", "2s", "https://127.0.0.1:${http!!.port}/", timeoutSeconds = 60)
        r.exit shouldBe 0
        r.out shouldNotContain "Socket errors"
        r.out shouldNotContain "Non-2xx"
        val requests = Regex("""(\d+) requests in""").find(r.out)!!.groupValues[1].toLong()
        (requests > 0) shouldBe true
        println("wrk https -c 16 -d 2s: ${r.out.lines().first { it.startsWith("Requests/sec") }.trim()}")
    }

    "mutual TLS: refused without a client certificate, served with one (curl and redis-cli)".config(
        enabled = on && Tools.has("curl") && Tools.has("redis-cli"),
    ) {
        val base = "https://localhost:${httpMutual!!.port}"
        curl("$base/").exit shouldNotBe 0
        curl("--cert", p("client.pem"), "--key", p("client.key"), "$base/").out shouldBe "Hello, World!"
        redisCli(respMutual!!.port, "PING").out.trim() shouldNotBe "PONG"
        redisCli(respMutual.port, "--cert", p("client.pem"), "--key", p("client.key"), "PING").out.trim() shouldBe "PONG"
    }

    "plaintext sent to a TLS port is answered with a TLS alert and closed; others are still served".config(
        enabled = on && Tools.has("redis-cli"),
    ) {
        for ((port, request) in listOf(resp!!.port to "PING\r\n", http!!.port to "GET / HTTP/1.1\r\nHost: x\r\n\r\n")) {
            Tools.socket(port).use { s ->
                s.getOutputStream().write(request.toByteArray())
                val first = s.getInputStream().read()
                first shouldBe 0x15 // a TLS alert record
                s.drainToEnd().first shouldBe Tools.End.EOF
            }
        }
        redisCli(resp.port, "PING").out.trim() shouldBe "PONG"
    }
})
