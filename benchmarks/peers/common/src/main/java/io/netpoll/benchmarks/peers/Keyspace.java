package io.netpoll.benchmarks.peers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The RESP subset every peer serves: PING, SET, GET, INCR, LPUSH, LPOP. Strings and lists live in
 * one map behind one lock, as in the Go peer, so the peers differ in their runtimes, not in their
 * data structures.
 */
public final class Keyspace {
    private static final String wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

    private final Map<String, Object> values = new HashMap<>();

    public synchronized void execute(List<byte[]> args, RespReply reply) {
        if (args.isEmpty()) {
            reply.error("ERR empty command");
        } else if (is(args, "PING", 1)) {
            reply.simple("PONG");
        } else if (is(args, "PING", 2)) {
            reply.bulk(args.get(1));
        } else if (is(args, "SET", 3)) {
            values.put(key(args), args.get(2));
            reply.simple("OK");
        } else if (is(args, "GET", 2)) {
            Object value = values.get(key(args));
            if (value instanceof ArrayDeque) {
                reply.error(wrongType);
            } else {
                reply.bulk((byte[]) value);
            }
        } else if (is(args, "INCR", 2)) {
            incr(key(args), reply);
        } else if (args.size() >= 3 && is(args, "LPUSH", args.size())) {
            lpush(key(args), args, reply);
        } else if (is(args, "LPOP", 2)) {
            lpop(key(args), reply);
        } else {
            reply.error("ERR unknown command or wrong number of arguments for '"
                    + new String(args.get(0), StandardCharsets.ISO_8859_1) + "'");
        }
    }

    private void incr(String key, RespReply reply) {
        Object value = values.get(key);
        if (value instanceof ArrayDeque) {
            reply.error(wrongType);
            return;
        }
        long n;
        try {
            n = value == null ? 0 : Long.parseLong(new String((byte[]) value, StandardCharsets.ISO_8859_1));
        } catch (NumberFormatException e) {
            reply.error("ERR value is not an integer or out of range");
            return;
        }
        n++;
        values.put(key, Long.toString(n).getBytes(StandardCharsets.ISO_8859_1));
        reply.integer(n);
    }

    @SuppressWarnings("unchecked")
    private void lpush(String key, List<byte[]> args, RespReply reply) {
        Object value = values.computeIfAbsent(key, k -> new ArrayDeque<byte[]>());
        if (!(value instanceof ArrayDeque)) {
            reply.error(wrongType);
            return;
        }
        ArrayDeque<byte[]> list = (ArrayDeque<byte[]>) value;
        for (int i = 2; i < args.size(); i++) {
            list.addFirst(args.get(i));
        }
        reply.integer(list.size());
    }

    @SuppressWarnings("unchecked")
    private void lpop(String key, RespReply reply) {
        Object value = values.get(key);
        if (value == null) {
            reply.bulk(null);
        } else if (!(value instanceof ArrayDeque)) {
            reply.error(wrongType);
        } else {
            ArrayDeque<byte[]> list = (ArrayDeque<byte[]>) value;
            reply.bulk(list.pollFirst());
            if (list.isEmpty()) {
                values.remove(key);
            }
        }
    }

    private static String key(List<byte[]> args) {
        return new String(args.get(1), StandardCharsets.ISO_8859_1);
    }

    /** Whether the command is {@code name} (ASCII case-insensitive) with exactly {@code arity} words. */
    private static boolean is(List<byte[]> args, String name, int arity) {
        byte[] word = args.get(0);
        if (args.size() != arity || word.length != name.length()) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if ((word[i] & 0xDF) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
