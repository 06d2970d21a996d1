package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.netpoll.samples.Tools
import io.netpoll.samples.server.ServerRuntime
import java.io.InputStream
import java.net.Socket
import java.net.SocketTimeoutException

/**
 * The sample's parser against a real redis-server: the same raw bytes go to both, and what comes
 * back (the reply bytes, and whether the server then closed or kept waiting) must be identical.
 * Inline commands with quotes and escapes (sdssplitargs), unbalanced quotes, and the limits and
 * errors of the `*`/`$` lines.
 */
class RespRedisParitySpec : StringSpec({
    val (server, _) = RespServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
    afterSpec { server.shutdown() }

    fun s(text: String) = text.toByteArray(Charsets.ISO_8859_1)

    /** What a server answered to [input]: its bytes, then `<closed>` or `<open>`. */
    class Answer(val socket: Socket, input: ByteArray) {
        init {
            socket.getOutputStream().write(input)
        }

        fun collect(): String {
            val out = StringBuilder()
            val buf = ByteArray(4096)
            val stream: InputStream = socket.getInputStream()
            socket.soTimeout = 100
            try {
                while (true) {
                    val n = stream.read(buf)
                    if (n < 0) return out.append("<closed>").toString()
                    out.append(String(buf, 0, n, Charsets.ISO_8859_1))
                }
            } catch (e: SocketTimeoutException) {
                return out.append("<open>").toString()
            } catch (e: java.net.SocketException) {
                return out.append("<reset>").toString()
            } finally {
                socket.close()
            }
        }
    }

    /** Sends every input to both servers at once, waits for them to settle, compares. */
    fun compare(cases: List<ByteArray>) {
        RedisServer().use { redis ->
            val answers = cases.map { Answer(Tools.socket(server.port), it) to Answer(Tools.socket(redis.port), it) }
            Thread.sleep(500)
            for ((i, pair) in answers.withIndex()) {
                val ours = pair.first.collect()
                val theirs = pair.second.collect()
                val shown = String(cases[i], Charsets.ISO_8859_1).take(60)
                println("parity: ${escape(shown)} -> redis ${escape(theirs.take(90))}")
                escape(ours) shouldBe escape(theirs)
            }
            println("parity: ${cases.size} inputs answered byte for byte as redis-server does")
        }
    }

    "inline commands: quotes, escapes and unbalanced quotes as redis splits them".config(enabled = RedisServer.available) {
        compare(
            listOf(
                "ECHO \"a b\"\r\n", "ECHO 'a b'\r\n", "ECHO \"\\x41\\x7a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\r\n",
                "ECHO \"\\x4\"\r\n", "ECHO \"\\xZZ\"\r\n", "ECHO 'it\\'s'\r\n", "ECHO 'a\\nb\\\\'\r\n", "ECHO \"\"\r\n",
                "ECHO ''\r\n", "ECHO a\"b c\"\r\n", "ECHO \"a\"b\r\n", "ECHO 'a'b\r\n", "ECHO \"a\r\n", "ECHO 'a\r\n",
                "ECHO \"a\\\"\r\n", "ECHO \"a\"\u000bb\r\n", "\u000bPING\r\n", "PING\u000b\r\n", "ECHO\t\"x\"\r\n",
                "ECHO \"a\"\n", "ECHO a\rb\r\n", "\"PING\"\r\n", "\r\nPING\r\n", "   \r\nPING\r\n",
                "SET k \"v w\"\r\nGET k\r\n", "ECHO \"a\" \"b\"\r\n", "ECHO \"\\xff\\x00\"\r\n", "ECHO caf\u00e9\r\n",
                "ECHO 'a\"b'\r\n", "ECHO \"a'b\"\r\n", "PI\u0000NG\r\n", "ECHO \"\r\n",
            ).map(::s),
        )
    }

    "multibulk header lines: lengths, limits and errors as redis's".config(enabled = RedisServer.available) {
        compare(
            listOf(
                "*x\r\n", "*2147483648\r\n", "*2147483647\r\n", "*1048577\r\n", "*-1\r\nPING\r\n", "*0\r\nPING\r\n",
                "*1\rX\$4\r\nPING\r\n", "*1\r\n\r\n", "*1\r\nX\r\n", "*1\r\nX", "*1\r\n\$-1\r\n", "*1\r\n\$536870913\r\n",
                "*1\r\n\$4\r\nPINGxx*1\r\n\$4\r\nPING\r\n", "*1\u0000\r\n", "*1\r\n\$4\u0000\r\nPING\r\n", "*01\r\n",
                "*1\r\n\$04\r\nPING\r\n", "*1\r\n\$4\r\nPING", "*1\r\n:5\r\n", "*1\r\n\n",
                "*" + "1".repeat(70_000), "*1\r\n\$" + "1".repeat(70_000), "A".repeat(70_000),
                "*" + "1".repeat(60_000), "PING" + " ".repeat(60_000),
            ).map(::s),
        )
    }
})

private fun escape(s: String): String = buildString {
    for (c in s) {
        when {
            c == '\r' -> append("\\r")
            c == '\n' -> append("\\n")
            c.code < 32 || c.code >= 127 -> append("\\x%02x".format(c.code))
            else -> append(c)
        }
    }
}
