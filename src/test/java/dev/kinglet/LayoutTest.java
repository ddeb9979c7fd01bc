package dev.kinglet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * native/ is the only module that touches JavaCPP's memory and loading API, OpenCV and FFM. The
 * engine uses LibTorch's tensor and module classes (org.bytedeco.pytorch) for models and math,
 * through native's scopes, and dsl/ has no native dependency at all. The engine's packages form
 * layers: no package reaches, through its imports and qualified names, a package that reaches it
 * back (e.g. report reads the run directory through rundir, never through run).
 */
class LayoutTest {
    private static List<String> offenders(Path dir, List<String> forbidden) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
                try {
                    String text = Files.readString(p);
                    return forbidden.stream().filter(text::contains).map(f -> dir.relativize(p) + " uses " + f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void engineDoesNotTouchJavacppOpencvOrFfm() throws IOException {
        assertThat(offenders(TestData.root().resolve("src/main/java"),
                List.of("org.bytedeco.javacpp", "org.bytedeco.opencv", "java.lang.foreign", "PointerScope"))).isEmpty();
    }

    @Test
    void dslHasNoNativeDependency() throws IOException {
        assertThat(offenders(TestData.root().resolve("dsl/src/main/java"), List.of("org.bytedeco", "java.lang.foreign"))).isEmpty();
        assertThat(Files.readString(TestData.root().resolve("dsl/pom.xml"))).doesNotContain("org.bytedeco");
    }

    /** Package → the engine packages its code names (imports and qualified names; comments and strings left out). */
    static Map<String, Set<String>> packageGraph(Path src) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        Pattern ref = Pattern.compile("dev\\.kinglet\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = src.relativize(p.getParent()).toString().replace('/', '.').substring("dev.kinglet.".length());
                String code = code(Files.readString(p));
                Set<String> to = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = ref.matcher(code);
                while (m.find()) if (!m.group(1).equals(pkg)) to.add(m.group(1));
            }
        }
        return graph;
    }

    /** Java source without its comments and with its string and char literals emptied. */
    static String code(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                while (i < s.length() && s.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 1;
            } else if (c == '"' || c == '\'') {
                for (i++; i < s.length() && s.charAt(i) != c; i++) if (s.charAt(i) == '\\') i++;
                b.append(c).append(c);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The packages {@code from} reaches through the graph. */
    static Set<String> reach(Map<String, Set<String>> graph, String from) {
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(graph.getOrDefault(from, Set.of()));
        while (!todo.isEmpty()) {
            String p = todo.remove(todo.size() - 1);
            if (seen.add(p)) todo.addAll(graph.getOrDefault(p, Set.of()));
        }
        return seen;
    }

    @Test
    void enginePackagesHaveNoImportLoop() throws IOException {
        Map<String, Set<String>> graph = packageGraph(TestData.root().resolve("src/main/java"));
        assertThat(graph).containsKeys("util", "rundir", "run", "report", "tune", "train", "tools");
        List<String> loops = new ArrayList<>();
        for (var e : graph.entrySet()) {
            for (String to : e.getValue()) if (reach(graph, to).contains(e.getKey())) loops.add(e.getKey() + " -> " + to + " -> ... -> " + e.getKey());
        }
        assertThat(loops).as("package graph %s", graph).isEmpty();
        // the bottom packages name no engine package above them
        assertThat(graph.get("util")).isEmpty();
        assertThat(graph.get("rundir")).isSubsetOf("util", "dsl");
        assertThat(reach(graph, "report")).doesNotContain("run", "tune");
        // the CLI tools sit on the run layer, never under it
        assertThat(reach(graph, "run")).doesNotContain("tools", "cli");
        // the run's orchestration stays readable: one job's steps live in JobRunner, the directory's format in rundir
        assertThat(Files.readAllLines(TestData.root().resolve("src/main/java/dev/kinglet/run/Runner.java"))).hasSizeLessThan(250);
    }
}
