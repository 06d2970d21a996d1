package io.netpoll.samples.http

import io.netpoll.samples.Tools
import java.io.File
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/**
 * The HTTP servers the sample is compared with, each a real process on 127.0.0.1 run from a
 * temporary directory that [close] removes: nginx (a minimal nginx.conf whose one location
 * answers 200 "ok", `daemon off; master_process off;`, every path inside the directory) and Go's
 * net/http (gopeer/main.go from the test resources, standard library only, built with the local
 * toolchain and no network). A missing program is an [AssertionError] naming it; callers decide
 * beforehand with [Tools.has] whether to run at all.
 */
class ReferencePeers : AutoCloseable {
    class Peer(val name: String, val port: Int, val process: Process)

    private val dir: File = Files.createTempDirectory("http-peers").toFile()
    private val started = ArrayList<Process>()

    val nginx: Peer = startNginx()
    val go: Peer = startGo()

    private fun startNginx(): Peer {
        require("nginx")
        val root = File(dir, "nginx").apply { File(this, "tmp").mkdirs() }
        // A port found free may be taken by someone else before nginx binds it: try another.
        repeat(3) { attempt ->
            val port = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
            File(root, "nginx.conf").writeText(nginxConf(port))
            val p = ProcessBuilder("nginx", "-p", root.path, "-c", File(root, "nginx.conf").path, "-e", "stderr")
                .redirectErrorStream(true).redirectOutput(File(root, "out.log")).start()
            started += p
            if (awaitListening(port, p)) return Peer("nginx", port, p)
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
            println("nginx did not start on port $port (attempt ${attempt + 1}): ${File(root, "out.log").readText().trim()}")
        }
        throw AssertionError("nginx did not start: ${File(root, "out.log").readText()}")
    }

    private fun startGo(): Peer {
        require("go")
        val root = File(dir, "go").apply { mkdirs() }
        val src = File(root, "main.go")
        src.writeBytes(javaClass.getResourceAsStream("gopeer/main.go")!!.use { it.readAllBytes() })
        val build = ProcessBuilder("go", "build", "-o", File(root, "gopeer").path, src.path)
            .directory(root).redirectErrorStream(true).redirectOutput(File(root, "build.log"))
        build.environment().putAll(
            mapOf(
                "GOFLAGS" to "-mod=mod",
                "GOTOOLCHAIN" to "local",
                "GOPROXY" to "off",
                "GOCACHE" to File(root, "cache").path,
                "GOPATH" to File(root, "path").path,
            ),
        )
        val b = build.start()
        if (!b.waitFor(120, TimeUnit.SECONDS) || b.exitValue() != 0) {
            b.destroyForcibly()
            throw AssertionError("go build of the reference server failed: ${File(root, "build.log").readText()}")
        }
        val p = ProcessBuilder(File(root, "gopeer").path).redirectError(File(root, "err.log")).start()
        started += p
        val line = p.inputStream.bufferedReader().readLine()
            ?: throw AssertionError("the Go reference server exited: ${File(root, "err.log").readText()}")
        val port = line.substringAfterLast(':').toInt()
        return Peer("go", port, p)
    }

    override fun close() {
        for (p in started) {
            p.destroy()
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
        }
        dir.deleteRecursively()
    }

    private companion object {
        fun require(tool: String) {
            if (!Tools.installed(tool)) {
                throw AssertionError("'$tool' is not installed: the HTTP sample is compared with nginx and Go's net/http (.ci/run installs them)")
            }
        }

        fun nginxConf(port: Int) = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid nginx.pid;
            error_log stderr crit;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path tmp/body;
                proxy_temp_path tmp/proxy;
                fastcgi_temp_path tmp/fastcgi;
                uwsgi_temp_path tmp/uwsgi;
                scgi_temp_path tmp/scgi;
                server {
                    listen 127.0.0.1:$port;
                    location / { return 200 "ok"; }
                }
            }
        """.trimIndent()

        fun awaitListening(port: Int, p: Process): Boolean {
            val until = System.nanoTime() + 10_000_000_000L
            while (System.nanoTime() < until && p.isAlive) {
                try {
                    Socket().use { it.connect(InetSocketAddress("127.0.0.1", port), 500) }
                    return true
                } catch (e: java.io.IOException) {
                    Thread.sleep(20)
                }
            }
            return false
        }
    }
}
