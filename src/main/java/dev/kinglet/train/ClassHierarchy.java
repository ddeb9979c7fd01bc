package dev.kinglet.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kinglet.dsl.RecipeException;

/**
 * A tree of classes read from a {@code loss.hierarchy} file, and the semantic similarity of the
 * data's classes in it (Barz and Denzler, WACV 2019 and 2020):
 * {@code sim(i, j) = 1 - height(lca(i, j)) / height(root)}, where the height of a node is the
 * length of the longest path from it down to a leaf (leaves 0). Identical classes have
 * similarity 1, classes whose lowest common ancestor is the root 0. Heights, the division by the
 * greatest height and the embedding follow the authors' code (github.com/cvjena/semantic-embeddings:
 * {@code ClassHierarchy._compute_heights} and {@code lcs_height} in class_hierarchy.py,
 * {@code unitsphere_embedding} in compute_class_embedding.py).
 *
 * <h2>File format</h2>
 * UTF-8 text, one {@code child,parent} pair per line, comma separated; spaces around each name
 * are ignored, so names may contain inner spaces but no comma and no {@code #}. A {@code #}
 * starts a comment that runs to the end of the line; blank lines are ignored. Names are
 * compared exactly (case matters) with the data's class names.
 * <pre>
 * # CUB-style: species, genus, family
 * Black footed Albatross, Phoebastria
 * Laysan Albatross,       Phoebastria
 * Phoebastria,            Diomedeidae
 * Sooty Albatross,        Diomedeidae
 * </pre>
 * Rules: every node has at most one parent and no node is its own ancestor (the file is a
 * forest); every data class appears and is a leaf; internal nodes may have any name. Several
 * roots are joined under one implicit root, so classes in different top-level trees have
 * similarity 0. Leaves that are not data classes are allowed (one file can serve several subsets
 * of a taxonomy) and count towards heights, as in the authors' code: a pair of classes has the
 * same similarity whichever subset is trained on.
 */
public final class ClassHierarchy {
    private final List<String> classes;
    /** Nodes 0..n-1 as named in the file, then the implicit root when the file has several roots. */
    private final List<String> names;
    private final int[] parent, height, depth, classNode;

    private ClassHierarchy(List<String> classes, List<String> names, int[] parent, int[] classNode) {
        this.classes = List.copyOf(classes);
        this.names = List.copyOf(names);
        this.parent = parent;
        this.classNode = classNode;
        int n = parent.length;
        height = new int[n];
        depth = new int[n];
        int[] order = rootFirst(parent);
        for (int v : order) depth[v] = parent[v] < 0 ? 0 : depth[parent[v]] + 1;
        for (int k = n - 1; k >= 0; k--) {
            int v = order[k];
            if (parent[v] >= 0) height[parent[v]] = Math.max(height[parent[v]], height[v] + 1);
        }
    }

    /**
     * Reads {@code file} for the data's {@code classes} (in label order).
     *
     * @throws IOException naming the file, the line and what is wrong: a malformed line, a node
     *                     with two parents, a cycle, a data class missing or not a leaf
     */
    public static ClassHierarchy read(Path file, List<String> classes) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new RecipeException("loss.hierarchy", "file " + file.toAbsolutePath().normalize()
                    + " not found (expected lines 'child,parent', e.g. 'cat,feline')");
        }
        return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8), classes);
    }

    /** Parses the lines of a hierarchy file; {@code source} names it in errors. */
    static ClassHierarchy parse(String source, List<String> lines, List<String> classes) throws IOException {
        if (classes.isEmpty()) throw new IllegalArgumentException("no classes given");
        for (String c : classes) {
            if (c.contains(",") || c.contains("#") || !c.equals(c.strip()) || c.isEmpty()) {
                throw new IOException(source + ": data class '" + c + "' cannot be written in a hierarchy file"
                        + " (names there have no ',' or '#' and no leading or trailing spaces); rename the class");
            }
        }
        Map<String, Integer> id = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<Integer> parents = new ArrayList<>(), parentLine = new ArrayList<>(), firstLine = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i);
            if (i == 0 && line.startsWith("\uFEFF")) line = line.substring(1);
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            if (line.isBlank()) continue;
            String[] f = line.split(",", -1);
            String where = source + " line " + lineNo + ": ";
            if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) {
                throw new IOException(where + "expected 'child,parent' (two names, one comma), got '" + line.strip() + "'");
            }
            String child = f[0].strip(), par = f[1].strip();
            if (child.equals(par)) throw new IOException(where + "'" + child + "' is given as its own parent");
            for (String name : List.of(child, par)) {
                if (!id.containsKey(name)) {
                    id.put(name, names.size());
                    names.add(name);
                    parents.add(-1);
                    parentLine.add(0);
                    firstLine.add(lineNo);
                }
            }
            int c = id.get(child), p = id.get(par);
            if (parents.get(c) == p) {
                throw new IOException(where + "'" + child + "," + par + "' repeats line " + parentLine.get(c));
            }
            if (parents.get(c) >= 0) {
                throw new IOException(where + "'" + child + "' has two parents: '" + names.get(parents.get(c)) + "' (line "
                        + parentLine.get(c) + ") and '" + par + "'; a class hierarchy is a tree, each node has one parent");
            }
            parents.set(c, p);
            parentLine.set(c, lineNo);
        }
        int n = names.size();
        int[] parent = parents.stream().mapToInt(Integer::intValue).toArray();
        checkAcyclic(source, names, parent, parentLine);

        int[] classNode = new int[classes.size()];
        Map<Integer, Integer> firstChildLine = new HashMap<>();
        for (int v = 0; v < n; v++) if (parent[v] >= 0) firstChildLine.merge(parent[v], parentLine.get(v), Math::min);
        for (int k = 0; k < classes.size(); k++) {
            String c = classes.get(k);
            Integer v = id.get(c);
            if (v == null) {
                String hint = names.stream().filter(c::equalsIgnoreCase).findFirst().map(s -> " (names are case-sensitive: the file has '" + s + "')").orElse("");
                throw new IOException(source + ": data class '" + c + "' is not in the hierarchy" + hint
                        + "; add a line '" + c + ",<parent>'");
            }
            if (firstChildLine.containsKey(v)) {
                int line = firstChildLine.get(v);
                throw new IOException(source + " line " + line + ": data class '" + c + "' has a child here, but data classes must"
                        + " be leaves; give the child another name or move '" + c + "''s images to a class below it");
            }
            classNode[k] = v;
        }
        int roots = 0;
        for (int p : parent) if (p < 0) roots++;
        if (roots > 1) {
            parent = Arrays.copyOf(parent, n + 1);
            for (int v = 0; v < n; v++) if (parent[v] < 0) parent[v] = n;
            parent[n] = -1;
            names.add("<root of " + roots + " trees>");
        }
        return new ClassHierarchy(classes, names, parent, classNode);
    }

    private static void checkAcyclic(String source, List<String> names, int[] parent, List<Integer> parentLine) throws IOException {
        int n = parent.length;
        int[] state = new int[n]; // 0 unseen, 1 on the current path, 2 leads to a root
        for (int start = 0; start < n; start++) {
            List<Integer> path = new ArrayList<>();
            int v = start;
            while (v >= 0 && state[v] == 0) {
                state[v] = 1;
                path.add(v);
                v = parent[v];
            }
            if (v >= 0 && state[v] == 1) {
                List<Integer> cycle = path.subList(path.indexOf(v), path.size());
                StringBuilder chain = new StringBuilder();
                List<Integer> lines = new ArrayList<>();
                for (int u : cycle) {
                    chain.append('\'').append(names.get(u)).append("' -> ");
                    lines.add(parentLine.get(u));
                }
                chain.append('\'').append(names.get(v)).append('\'');
                throw new IOException(source + " line " + Collections.max(lines) + ": cycle " + chain + " (lines "
                        + lines.stream().sorted().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("") + "); a node cannot be its own ancestor");
            }
            for (int u : path) state[u] = 2;
        }
    }

    /** Node indices ordered so that every parent comes before its children. */
    private static int[] rootFirst(int[] parent) {
        int n = parent.length;
        List<List<Integer>> children = new ArrayList<>();
        for (int v = 0; v < n; v++) children.add(new ArrayList<>());
        List<Integer> order = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            if (parent[v] >= 0) children.get(parent[v]).add(v);
            else order.add(v);
        }
        for (int i = 0; i < order.size(); i++) order.addAll(children.get(order.get(i)));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The data's class names, in label order. */
    public List<String> classes() {
        return classes;
    }

    /** The height of the whole tree (of the implicit root when the file has several roots). */
    public int height() {
        int root = 0;
        while (parent[root] >= 0) root = parent[root];
        return height[root];
    }

    /** The name of the lowest common ancestor of classes {@code i} and {@code j} (labels). */
    public String commonAncestor(int i, int j) {
        return names.get(lca(classNode[i], classNode[j]));
    }

    private int lca(int a, int b) {
        while (depth[a] > depth[b]) a = parent[a];
        while (depth[b] > depth[a]) b = parent[b];
        while (a != b) {
            a = parent[a];
            b = parent[b];
        }
        return a;
    }

    /** {@code 1 - height(lca(i, j)) / height(root)} for classes (labels) {@code i} and {@code j}. */
    public double similarity(int i, int j) {
        return 1.0 - (double) height[lca(classNode[i], classNode[j])] / height();
    }

    /** The similarity of every pair of classes, {@code [K][K]}. */
    public double[][] similarities() {
        int k = classes.size();
        double[][] s = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) s[i][j] = s[j][i] = similarity(i, j);
        }
        return s;
    }

    /**
     * Unit vectors {@code phi(c)}, one row per class ({@code [K][K]}), whose dot products are the
     * {@link #similarities}: the lower Cholesky factor of the similarity matrix, which is what the
     * authors' iterative construction ({@code unitsphere_embedding}) computes row by row.
     */
    public double[][] embeddings() {
        return cholesky(similarities());
    }

    /**
     * The lower-triangular {@code L} with {@code L L^T = s}. The similarity matrix of a tree is
     * positive definite: it is a sum over non-root nodes v of {@code (height(parent v) - height(v))
     * / height(root)} times the indicator outer product of the classes below v, all weights > 0,
     * and each class's own leaf term makes it a positive diagonal plus a semi-definite matrix.
     */
    static double[][] cholesky(double[][] s) {
        int k = s.length;
        double[][] l = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = s[i][j];
                for (int m = 0; m < j; m++) sum -= l[i][m] * l[j][m];
                if (i == j) {
                    if (!(sum > 0)) throw new IllegalStateException("similarity matrix is not positive definite at class " + i + " (pivot " + sum + ")");
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return l;
    }

    /** One-hot class embeddings ({@code [K][K]} identity): the cosine loss without a hierarchy. */
    public static double[][] oneHot(int classes) {
        double[][] e = new double[classes][classes];
        for (int i = 0; i < classes; i++) e[i][i] = 1;
        return e;
    }
}
