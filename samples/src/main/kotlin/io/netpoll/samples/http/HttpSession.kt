package io.netpoll.samples.http

import java.nio.ByteBuffer

/**
 * One HTTP connection's protocol state, independent of the socket: [process] answers every
 * complete request in the input (pipelining), leaving the responses in [out]; the connection
 * loop ([HttpServer]) does the I/O and the deadlines.
 */
class HttpSession(private val routes: HttpRoutes, maxHeaderBytes: Int, maxBodyBytes: Int) {
    private val parser = HttpParser(maxHeaderBytes, maxBodyBytes)
    val out = HttpResponseWriter()
    private var continueSent = false

    /** True once part of a request has arrived (for the request deadline). */
    var midRequest = false
        private set

    /** True once a request was refused: the error response is the connection's last. */
    var failed = false
        private set

    /**
     * Answers the complete requests at the start of [input] (read mode), consuming what the parser
     * has taken. Returns false when the connection must close once [out] is flushed
     * (`Connection: close`, HTTP/1.0, an error, or [draining] — a server shutting down answers
     * what it has, then closes).
     */
    fun process(input: ByteBuffer, draining: Boolean = false): Boolean {
        while (true) {
            val status = try {
                parser.parse(input)
            } catch (e: HttpError) {
                val body = "${e.message}\n".toByteArray()
                out.response(e.status, "text/plain; charset=utf-8", body, close = true)
                failed = true
                return false
            }
            if (status == HttpParser.INCOMPLETE) {
                midRequest = parser.inRequest || input.hasRemaining()
                if (parser.expectsContinue && !continueSent) {
                    out.interim100()
                    continueSent = true
                }
                return true
            }
            continueSent = false
            val request = parser.request
            val close = !request.keepAlive || draining
            routes.respond(request, out, close)
            if (close) return false
        }
    }
}
