package io.netpoll.samples

import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.tls.ClientAuth
import io.netpoll.net.tls.TlsConfig
import io.netpoll.net.tls.tlsConfig
import io.netpoll.samples.cli.Flags
import io.netpoll.samples.cli.Flags.Kind.SWITCH
import io.netpoll.samples.cli.Flags.Kind.VALUE
import io.netpoll.samples.cli.UsageException
import io.netpoll.samples.echo.EchoClient
import io.netpoll.samples.echo.EchoServer
import io.netpoll.samples.http.HttpServer
import io.netpoll.samples.java.JavaService
import io.netpoll.samples.resp.RespParser
import io.netpoll.samples.resp.RespServer
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import java.io.IOException
import java.nio.file.Path
import java.security.GeneralSecurityException
import kotlin.system.exitProcess

/**
 * `java -jar netpoll-samples.jar <command> [flags]`: one runnable jar, one subcommand per sample.
 * Servers print `<name>: listening on <addr>` once they accept and stop gracefully on
 * SIGINT/SIGTERM ([TcpServer.shutdown]). Exit status: 0 done (a server stopped by either signal
 * included), 1 runtime failure (e.g. port in use), 2 bad command line.
 */
fun main(argv: Array<String>) {
    setUpLogging()
    val command = argv.firstOrNull()
    val rest = argv.drop(1)
    try {
        when (command) {
            "resp" -> resp(rest)
            "http" -> http(rest)
            "echo" -> echo(rest)
            "echo-client" -> echoClient(rest)
            "mixed" -> mixed(rest)
            null, "--help", "-h", "help" -> println(USAGE)
            else -> throw UsageException("netpoll-samples: unknown command '$command' (resp, http, echo, echo-client, mixed)")
        }
    } catch (e: UsageException) {
        System.err.println(e.message)
        exitProcess(2)
    } catch (e: IOException) {
        System.err.println("${command}: ${e.message ?: e.javaClass.simpleName}")
        exitProcess(1)
    }
}

/**
 * The servers log through System.Logger (java.util.logging here). On the command line each record
 * is its message alone on a line of stderr, unless the user chose a format; and logging is set up
 * now, since the first record may come when the process is out of descriptors (accept failing with
 * EMFILE), too late to read the logging configuration or the time-zone rules records are stamped with.
 */
private fun setUpLogging() {
    val format = "java.util.logging.SimpleFormatter.format"
    if (System.getProperty(format) == null) System.setProperty(format, "%5\$s%6\$s%n")
    java.util.logging.Logger.getLogger("").handlers
    java.time.ZoneId.systemDefault()
}

private const val USAGE = """usage: java -jar netpoll-samples.jar <command> [flags]   (<command> --help for its flags)
  resp         RESP (Redis protocol) server            default 127.0.0.1:6380
  http         HTTP/1.1 server                         default 127.0.0.1:8080
  echo         echo server                             default 127.0.0.1:7007
  echo-client  load generator for the echo server
  mixed        RESP server + the Java sample on one runtime"""

private val SERVER_FLAGS = mapOf("addr" to VALUE, "parallelism" to VALUE, "dispatcher" to VALUE)

private fun serverUsage(command: String, what: String, default: String, extra: String = "") = """
    usage: java -jar netpoll-samples.jar $command [flags]
    $what
      --addr HOST:PORT        listen address (default $default; port 0 picks a free one)
      --parallelism N         scheduler threads (default: available processors)
      --dispatcher KIND       netpoll (Go-style scheduler driving the poller, default) or default
                              (kotlinx Dispatchers.Default, same server code)$extra
    """

private val TLS_FLAGS = mapOf("tls-cert" to VALUE, "tls-key" to VALUE, "tls-client-ca" to VALUE)

private const val TLS_USAGE = """
      --tls-cert FILE         serve TLS with this PEM certificate (chain), as openssl writes it
      --tls-key FILE          its PEM private key: PKCS#8, or a traditional RSA or EC key
      --tls-client-ca FILE    mutual TLS: require client certificates signed by a CA in this PEM file"""

/** The TLS configuration the flags ask for, or null for plaintext; [alpn] is advertised if set. */
private fun tlsOf(command: String, f: Flags, alpn: String?): TlsConfig? {
    val cert = f.string("tls-cert", "")
    val key = f.string("tls-key", "")
    val clientCa = f.string("tls-client-ca", "")
    if (cert.isEmpty() && key.isEmpty()) {
        if (clientCa.isNotEmpty()) throw UsageException("$command: --tls-client-ca needs --tls-cert and --tls-key")
        return null
    }
    if (cert.isEmpty()) throw UsageException("$command: --tls-key needs --tls-cert")
    if (key.isEmpty()) throw UsageException("$command: --tls-cert needs --tls-key")
    return try {
        tlsConfig {
            certificate(Path.of(cert), Path.of(key))
            if (alpn != null) alpn(alpn)
            if (clientCa.isNotEmpty()) {
                clientCAs(Path.of(clientCa))
                clientAuth = ClientAuth.REQUIRE_AND_VERIFY
            }
        }
    } catch (e: GeneralSecurityException) {
        throw IOException("TLS configuration: ${e.message}", e)
    } catch (e: IOException) {
        throw IOException("TLS configuration: ${e.message ?: e.javaClass.simpleName}", e)
    }
}

private fun parse(command: String, usage: String, spec: Map<String, Flags.Kind>, argv: List<String>): Flags? {
    val f = Flags(command, usage, spec, argv)
    if (f.help) {
        println(f.usage())
        return null
    }
    return f
}

private fun runtimeOf(f: Flags) = ServerRuntime(
    f.oneOf("dispatcher", ServerRuntime.NETPOLL, ServerRuntime.KINDS),
    if (f.string("parallelism", "").isEmpty()) null else f.int("parallelism", 1, 1, 1024),
)

private fun listen(address: String, start: () -> TcpServer): TcpServer = try {
    start()
} catch (e: IOException) {
    throw IOException("cannot listen on $address: ${e.message}", e)
}

private fun serveUntilSignal(server: TcpServer) {
    server.shutdownOnSignal().announce().awaitTermination()
}

private fun resp(argv: List<String>) {
    val usage = serverUsage(
        "resp", "An in-memory Redis-protocol server (redis-cli and redis-benchmark work against it).",
        RespServer.DEFAULT_ADDRESS,
        "\n      --stats                 print connections and commands/s to stderr every second" +
            "\n      --max-bulk-bytes N      largest accepted bulk string (default 536870912, as Redis)" + TLS_USAGE,
    )
    val f = parse("resp", usage, SERVER_FLAGS + TLS_FLAGS + mapOf("stats" to SWITCH, "max-bulk-bytes" to VALUE), argv) ?: return
    val address = f.address("addr", RespServer.DEFAULT_ADDRESS)
    val maxBulk = f.int("max-bulk-bytes", RespParser.DEFAULT_MAX_BULK_BYTES.toInt(), 1).toLong()
    val tls = tlsOf("resp", f, null)
    val runtime = runtimeOf(f)
    serveUntilSignal(listen(address) { RespServer.start(runtime, address, f.switch("stats"), maxBulk, tls = tls).first })
}

private fun http(argv: List<String>) {
    val usage = serverUsage(
        "http", "An HTTP/1.1 server: GET / (Hello, World!), GET /json, POST /echo, GET /stats.",
        HttpServer.DEFAULT_ADDRESS,
        TLS_USAGE + "\n                              (HTTPS advertises ALPN http/1.1)",
    )
    val f = parse("http", usage, SERVER_FLAGS + TLS_FLAGS, argv) ?: return
    val address = f.address("addr", HttpServer.DEFAULT_ADDRESS)
    val tls = tlsOf("http", f, "http/1.1")
    val runtime = runtimeOf(f)
    serveUntilSignal(listen(address) { HttpServer().start(runtime, address, tls) })
}

private fun echo(argv: List<String>) {
    val usage = serverUsage(
        "echo", "An echo server: one coroutine per connection; a 16 KiB buffer from a shared pool only while it has data to read.",
        EchoServer.DEFAULT_ADDRESS,
    )
    val f = parse("echo", usage, SERVER_FLAGS, argv) ?: return
    val address = f.address("addr", EchoServer.DEFAULT_ADDRESS)
    val runtime = runtimeOf(f)
    serveUntilSignal(listen(address) { EchoServer.start(runtime, address) })
}

private fun echoClient(argv: List<String>) {
    val usage = """
        usage: java -jar netpoll-samples.jar echo-client [flags]
        Load for an echo server: N connections, each writing BYTES and reading them back in a loop.
          --addr HOST:PORT        echo server (default ${EchoServer.DEFAULT_ADDRESS})
          --conns N               connections (default 16)
          --size BYTES            message size (default 64)
          --duration SECONDS      how long to run (default 5)
        Prints: echo-client: conns=N size=B round_trips=… rps=… p50_us=… p99_us=…
    """
    val spec = mapOf("addr" to VALUE, "conns" to VALUE, "size" to VALUE, "duration" to VALUE)
    val f = parse("echo-client", usage, spec, argv) ?: return
    val line = EchoClient.run(
        f.address("addr", EchoServer.DEFAULT_ADDRESS),
        f.int("conns", 16, 1, 100_000),
        f.int("size", 64, 1, 64 * 1024 * 1024),
        f.int("duration", 5, 1, 24 * 3600),
    )
    println(line)
}

private fun mixed(argv: List<String>) {
    val usage = """
        usage: java -jar netpoll-samples.jar mixed [flags]
        The Kotlin RESP server and the Java line service (written in Java, net-kt's Java facade)
        in one JVM, on one Netpoll and one scheduler (the Java service's futures complete on
        Dispatchers.Netpoll; on JDK 21+ it blocks on virtual threads instead): INFO on the RESP
        side and STATS on the Java side show the same netpoll_id and descriptors covering both.
          --addr HOST:PORT        RESP server (default ${RespServer.DEFAULT_ADDRESS})
          --java-addr HOST:PORT   Java line service (default ${JavaService.DEFAULT_ADDRESS})
    """
    val f = parse("mixed", usage, mapOf("addr" to VALUE, "java-addr" to VALUE), argv) ?: return
    val address = f.address("addr", RespServer.DEFAULT_ADDRESS)
    val javaAddress = f.address("java-addr", JavaService.DEFAULT_ADDRESS)
    val javaService = try {
        JavaService.start(javaAddress, Dispatchers.Netpoll.asExecutor())
    } catch (e: IOException) {
        throw IOException("cannot listen on $javaAddress: ${e.message}", e)
    }
    val runtime = ServerRuntime(ServerRuntime.NETPOLL, null)
    val resp = listen(address) {
        RespServer.start(runtime, address, extraInfo = { "java_service_connections:${javaService.commands().connections()}\r\n" }).first
    }
    resp.shutdownOnSignal()
    println("java: listening on ${javaService.boundAddress()} (${javaService.commands().stats().substringBefore(' ')})")
    resp.announce().awaitTermination()
    javaService.close()
}
