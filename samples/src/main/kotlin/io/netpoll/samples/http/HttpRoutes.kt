package io.netpoll.samples.http

/**
 * The sample's routes: `GET /` (plain text), `GET /json`, `POST /echo` (the request body back,
 * same content type), `GET /stats` (the runtime's stats as JSON). HEAD works wherever GET does;
 * a known path with another method is 405 with `Allow`, anything else 404.
 */
class HttpRoutes(private val statsJson: () -> String) {
    /** Appends the response to [request] to [out]; [close] adds `Connection: close`. */
    fun respond(request: HttpRequest, out: HttpResponseWriter, close: Boolean) {
        val get = request.method == "GET" || request.method == "HEAD"
        val head = request.method == "HEAD"
        when (request.path) {
            "/" -> if (get) out.response(200, TEXT, HELLO, close = close, headOnly = head) else notAllowed(out, ALLOW_GET, close)
            "/json" -> if (get) out.response(200, JSON, HELLO_JSON, close = close, headOnly = head) else notAllowed(out, ALLOW_GET, close)
            "/stats" -> if (get) {
                out.response(200, JSON, statsJson().toByteArray(), close = close, headOnly = head)
            } else {
                notAllowed(out, ALLOW_GET, close)
            }
            "/echo" -> if (request.method == "POST") {
                out.response(200, request.contentType ?: OCTETS, request.body, request.bodyLength, close = close)
            } else {
                notAllowed(out, ALLOW_POST, close)
            }
            else -> out.response(404, TEXT, NOT_FOUND, close = close, headOnly = head)
        }
    }

    private fun notAllowed(out: HttpResponseWriter, allow: String, close: Boolean) =
        out.response(405, TEXT, NOT_ALLOWED, close = close, extraHeader = allow)

    private companion object {
        const val TEXT = "text/plain; charset=utf-8"
        const val JSON = "application/json"
        const val OCTETS = "application/octet-stream"
        const val ALLOW_GET = "Allow: GET, HEAD"
        const val ALLOW_POST = "Allow: POST"
        val HELLO = "Hello, World!".toByteArray()
        val HELLO_JSON = "{\"message\":\"Hello, World!\"}".toByteArray()
        val NOT_FOUND = "not found\n".toByteArray()
        val NOT_ALLOWED = "method not allowed\n".toByteArray()
    }
}
