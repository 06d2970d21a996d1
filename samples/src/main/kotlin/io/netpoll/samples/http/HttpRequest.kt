package io.netpoll.samples.http

/**
 * The last request [HttpParser] completed. One instance per connection, overwritten by each
 * request; [body] is a reused buffer of which the first [bodyLength] bytes are this request's. It
 * grows with the bytes that arrive (never by a declared length) and shrinks back when a request
 * that needed more than 64 KiB is followed by another.
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
    var body = ByteArray(INITIAL_BODY_BYTES)
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
        // A big body's memory goes back once the next request starts.
        if (body.size > RETAINED_BODY_BYTES) body = ByteArray(INITIAL_BODY_BYTES)
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

    private companion object {
        const val INITIAL_BODY_BYTES = 1024
        const val RETAINED_BODY_BYTES = 64 * 1024
    }
}

/** A request the server refuses with [status] (400, 413, 414, 431, 501, 505) and closes the connection after. */
class HttpError(val status: Int, message: String) : Exception(message, null, false, false)
