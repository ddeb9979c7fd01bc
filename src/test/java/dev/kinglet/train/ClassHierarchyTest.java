package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.dsl.RecipeException;

class ClassHierarchyTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("hierarchy.csv"), text);
    }

    private static final String ANIMALS = """
            # a small taxonomy: species, then groups
            cat,  feline
            lion, feline   # big cat
            feline, mammal
            dog,canine
            wolf , canine
            canine, mammal
            mammal, animal

            sparrow, passerine
            passerine, bird
            eagle, bird
            bird, animal
            trout, animal
            """;

    @Test
    void similaritiesFollowTheHeightOfTheLowestCommonAncestor() throws IOException {
        List<String> classes = List.of("dog", "cat", "sparrow", "trout", "lion", "wolf", "eagle");
        ClassHierarchy h = ClassHierarchy.read(file(ANIMALS), classes);
        // heights: species 0; feline, canine, passerine 1; mammal 2; bird 2 (longest path, via
        // passerine, though eagle is one step below it); animal 3
        assertThat(h.height()).isEqualTo(3);
        double[][] expected = new double[7][7];
        for (int i = 0; i < 7; i++) expected[i][i] = 1;
        set(expected, classes, "dog", "wolf", 2 / 3.0);
        set(expected, classes, "cat", "lion", 2 / 3.0);
        set(expected, classes, "dog", "cat", 1 / 3.0);
        set(expected, classes, "dog", "lion", 1 / 3.0);
        set(expected, classes, "wolf", "cat", 1 / 3.0);
        set(expected, classes, "wolf", "lion", 1 / 3.0);
        set(expected, classes, "sparrow", "eagle", 1 / 3.0);
        double[][] s = h.similarities();
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 7; j++) assertThat(s[i][j]).as(classes.get(i) + "~" + classes.get(j)).isCloseTo(expected[i][j], within(1e-15));
        }
        assertThat(h.commonAncestor(0, 1)).isEqualTo("mammal");
        assertThat(h.commonAncestor(2, 6)).isEqualTo("bird");
        assertThat(h.commonAncestor(3, 3)).isEqualTo("trout");
        assertUnitVectorsWithDotProducts(h.embeddings(), expected);
    }

    private static void set(double[][] m, List<String> classes, String a, String b, double v) {
        m[classes.indexOf(a)][classes.indexOf(b)] = m[classes.indexOf(b)][classes.indexOf(a)] = v;
    }

    private static void assertUnitVectorsWithDotProducts(double[][] phi, double[][] expected) {
        int k = expected.length;
        assertThat(phi).hasNumberOfRows(k);
        for (int i = 0; i < k; i++) {
            assertThat(phi[i]).hasSize(k);
            assertThat(Math.sqrt(dot(phi[i], phi[i]))).as("norm of class " + i).isCloseTo(1.0, within(1e-12));
            for (int j = 0; j < k; j++) assertThat(dot(phi[i], phi[j])).as("<phi(%d), phi(%d)>", i, j).isCloseTo(expected[i][j], within(1e-9));
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void severalRootsAreJoinedUnderAnImplicitRoot() throws IOException {
        ClassHierarchy h = ClassHierarchy.read(file("cat,feline\nlion,feline\ndog,canine\n"), List.of("cat", "lion", "dog"));
        assertThat(h.height()).isEqualTo(2);
        assertThat(h.similarity(0, 1)).isEqualTo(0.5);
        assertThat(h.similarity(0, 2)).isEqualTo(0.0);
        assertThat(h.commonAncestor(0, 2)).contains("root");
    }

    @Test
    void classesDirectlyBelowOneRootAreOneHot() throws IOException {
        ClassHierarchy h = ClassHierarchy.read(file("a,r\nb,r\nc,r\n"), List.of("c", "a", "b"));
        assertThat(h.embeddings()).isDeepEqualTo(ClassHierarchy.oneHot(3));
    }

    /**
     * Random forests of up to 400 nodes, a random subset of their leaves as data classes in a
     * random order, against heights and ancestors computed here by plain recursion.
     */
    @Test
    void randomTreesGiveUnitEmbeddingsWithTheTreeSimilarities() throws IOException {
        for (long seed = 1; seed <= 5; seed++) {
            Random rng = new Random(seed);
            int n = 50 + rng.nextInt(350), roots = 1 + rng.nextInt(3);
            int[] parent = new int[n];
            List<List<Integer>> children = new ArrayList<>();
            for (int v = 0; v < n; v++) children.add(new ArrayList<>());
            for (int v = 0; v < n; v++) {
                // a bias towards recent nodes makes deep, uneven trees
                parent[v] = v < roots ? -1 : Math.max(0, v - 1 - (int) Math.abs(rng.nextGaussian() * v / 3));
                if (parent[v] >= 0) children.get(parent[v]).add(v);
            }
            List<String> lines = new ArrayList<>();
            for (int v = 0; v < n; v++) if (parent[v] >= 0) lines.add("n" + v + " , n" + parent[v]);
            Collections.shuffle(lines, rng);
            List<Integer> leaves = new ArrayList<>();
            for (int v = 0; v < n; v++) if (children.get(v).isEmpty() && parent[v] >= 0 && rng.nextDouble() < 0.7) leaves.add(v);
            Collections.shuffle(leaves, rng);
            List<String> classes = leaves.stream().map(v -> "n" + v).toList();

            int[] height = new int[n];
            for (int v = n - 1; v >= 0; v--) for (int c : children.get(v)) height[v] = Math.max(height[v], height[c] + 1);
            int top = 0, rootsInFile = 0; // a root without children has no line in the file
            for (int v = 0; v < roots; v++) {
                top = Math.max(top, height[v]);
                if (!children.get(v).isEmpty()) rootsInFile++;
            }
            int treeHeight = rootsInFile > 1 ? top + 1 : top;
            int k = leaves.size();
            double[][] expected = new double[k][k];
            for (int i = 0; i < k; i++) {
                Set<Integer> above = new HashSet<>();
                for (int v = leaves.get(i); v >= 0; v = parent[v]) above.add(v);
                for (int j = 0; j < k; j++) {
                    int v = leaves.get(j);
                    while (v >= 0 && !above.contains(v)) v = parent[v];
                    expected[i][j] = 1 - (double) (v < 0 ? treeHeight : height[v]) / treeHeight;
                }
            }
            ClassHierarchy h = ClassHierarchy.read(file(String.join("\n", lines)), classes);
            assertThat(h.height()).as("seed " + seed).isEqualTo(treeHeight);
            assertUnitVectorsWithDotProducts(h.embeddings(), expected);
        }
    }

    @Test
    void badFilesNameTheFileTheLineAndTheProblem() throws IOException {
        List<String> cat = List.of("cat");
        expectError("cat feline\n", cat, "line 1: expected 'child,parent'");
        expectError("# header\ncat,feline,mammal\n", cat, "line 2: expected 'child,parent'");
        expectError("cat,\n", cat, "line 1: expected 'child,parent'");
        expectError("cat,feline\ncat,pet\n", cat, "line 2: 'cat' has two parents: 'feline' (line 1) and 'pet'");
        expectError("cat,feline\n\ncat,feline\n", cat, "line 3: 'cat,feline' repeats line 1");
        expectError("cat,cat\n", cat, "line 1: 'cat' is given as its own parent");
        expectError("cat,a\na,b\nb,c\nc,a\n", cat, "line 4: cycle 'a' -> 'b' -> 'c' -> 'a' (lines 2, 3, 4)");
        expectError("cat,feline\n", List.of("cat", "dog"), ": data class 'dog' is not in the hierarchy; add a line 'dog,<parent>'");
        expectError("Cat,feline\n", cat, "data class 'cat' is not in the hierarchy (names are case-sensitive: the file has 'Cat')");
        expectError("cat,feline\nkitten,cat\nkitty,cat\n", cat, "line 2: data class 'cat' has a child here, but data classes must be leaves");
        expectError("", cat, "data class 'cat' is not in the hierarchy");
        expectError("a,b\n", List.of("c,d"), "data class 'c,d' cannot be written in a hierarchy file");
    }

    private void expectError(String text, List<String> classes, String message) throws IOException {
        Path f = file(text);
        assertThatThrownBy(() -> ClassHierarchy.read(f, classes)).as(text).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining(message);
    }

    @Test
    void aMissingFileIsARecipeError() {
        assertThatThrownBy(() -> ClassHierarchy.read(dir.resolve("nope.csv"), List.of("cat"))).isInstanceOf(RecipeException.class)
                .hasMessageContaining("loss.hierarchy").hasMessageContaining("nope.csv not found");
    }

    @Test
    void oneHotIsTheIdentity() {
        assertThat(ClassHierarchy.oneHot(2)).isDeepEqualTo(new double[][] {{1, 0}, {0, 1}});
    }
}
