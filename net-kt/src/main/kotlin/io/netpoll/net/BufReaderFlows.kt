package io.netpoll.net

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * The reader's lines as a [Flow]: each is [BufReader.readLine]'s, without its "\n" or "\r\n", and
 * the flow completes at end of stream (where readLine returns null). The flow reads as it is
 * collected, so a slow collector slows the reading (no buffering beyond the reader's own), and
 * cancelling the collection stops it between two lines, with the rest left in the reader.
 *
 * The reader is consumed as the flow goes: collect it once (a second collection continues where
 * the first stopped). Errors are [BufReader.readLine]'s: a line longer than the reader's buffer is
 * a [java.nio.BufferOverflowException]; a read deadline passing, the connection's exception.
 */
fun BufReader.lines(): Flow<String> = flow {
    while (true) {
        emit(readLine() ?: break)
    }
}

/**
 * The frames that end in [delimiter] as a [Flow] of byte arrays, without the delimiter (Go's
 * bufio.Scanner with a custom split, over [BufReader.readSlice]). Each frame is copied out of the
 * reader's buffer, so it stays valid after the next one is read. The flow completes at end of
 * stream between frames; a stream that ends inside a frame is a [java.io.EOFException], a frame
 * longer than the reader's buffer a [java.nio.BufferOverflowException]. Collect it once, as
 * [lines].
 */
fun BufReader.frames(delimiter: Byte): Flow<ByteArray> = flow {
    while (true) {
        val frame = readSlice(delimiter) ?: break
        val bytes = ByteArray(frame.remaining() - 1)
        frame.get(bytes)
        emit(bytes)
    }
}
