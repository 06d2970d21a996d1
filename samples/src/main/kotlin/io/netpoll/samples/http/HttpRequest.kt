package io.netpoll.samples.http

/**
 * The last request [HttpParser] completed. One instance per connection, overwritten by each
 * parse; [body] is a reused buffer of which the first [bodyLength] bytes are this request's.
 */
class HttpRequest {
    var method = ""
        internal set
    var path = ""
        internal set

    /** HTTP/1.0 (false) or HTTP/1.1 (true). */
    var http11 = true
        internal set

    /** Whether the connection stays open after the response (version default and `Connection`). */
    var keepAlive = true
        internal set
    var contentType: String? = null
        internal set
    var chunked = false
        internal set
    var body = ByteArray(1024)
        internal set
    var bodyLength = 0
        internal set

    fun bodyText(): String = String(body, 0, bodyLength, Charsets.UTF_8)

    internal fun reset() {
        method = ""
        path = ""
        http11 = true
        keepAlive = true
        contentType = null
        chunked = false
        bodyLength = 0
    }

    internal fun appendBody(src: java.nio.ByteBuffer, offset: Int, length: Int) {
        if (bodyLength + length > body.size) {
            var size = body.size * 2
            while (size < bodyLength + length) size *= 2
            body = body.copyOf(size)
        }
        src.get(offset, body, bodyLength, length)
        bodyLength += length
    }
}

/** A request the server refuses with [status] (400, 413, 431, 501) and closes the connection after. */
class HttpError(val status: Int, message: String) : Exception(message, null, false, false)
