package io.netpoll.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code blocks of docs/build.md that these tests build and run. A block is marked by an HTML
 * comment on the line before its opening fence, {@code <!-- it: NAME -->}, invisible where the
 * Markdown is rendered; the tests use the block's text as it stands, so the page cannot drift
 * from what is tested.
 */
final class Docs {
    private static final Pattern MARK = Pattern.compile("<!-- it: (\\S+) -->");

    private final Map<String, String> blocks;

    private Docs(Map<String, String> blocks) {
        this.blocks = blocks;
    }

    static Docs buildPage() throws IOException {
        return read(Artifacts.root().resolve("docs/build.md"));
    }

    static Docs read(Path page) throws IOException {
        List<String> lines = Files.readAllLines(page);
        Map<String, String> blocks = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MARK.matcher(lines.get(i).trim());
            if (!m.matches()) continue;
            String name = m.group(1);
            if (i + 1 >= lines.size() || !lines.get(i + 1).startsWith("```")) {
                throw new IllegalStateException(page + ":" + (i + 1) + ": '" + name + "' is not followed by a code block");
            }
            StringBuilder code = new StringBuilder();
            int j = i + 2;
            for (; j < lines.size() && !lines.get(j).startsWith("```"); j++) code.append(lines.get(j)).append('\n');
            if (j == lines.size()) throw new IllegalStateException(page + ": block '" + name + "' is not closed");
            if (blocks.put(name, code.toString()) != null) {
                throw new IllegalStateException(page + ": two blocks are marked '" + name + "'");
            }
            i = j;
        }
        return new Docs(blocks);
    }

    /** The text of the block marked {@code name}. */
    String block(String name) {
        String code = blocks.get(name);
        if (code == null) throw new IllegalStateException("docs/build.md has no block marked 'it: " + name + "'");
        return code;
    }

    /** The value of the one {@code --enable-native-access=VALUE} in block {@code name}. */
    String nativeAccessFlag(String name) {
        Matcher m = Pattern.compile("--enable-native-access=(\\S+)").matcher(block(name));
        if (!m.find()) throw new IllegalStateException("block '" + name + "' has no --enable-native-access flag");
        String value = m.group(1);
        if (m.find()) throw new IllegalStateException("block '" + name + "' has two --enable-native-access flags");
        return value;
    }
}
