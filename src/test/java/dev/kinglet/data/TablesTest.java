package dev.kinglet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.CsvManifest.Task;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.TableSource;
import dev.kinglet.dsl.TableSource.ColumnType;

/** The table reader's rules and refusals, and the encoder fitted on training rows only. */
class TablesTest {
    @TempDir Path tmp;

    Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    TableReader.Loaded read(String text) throws IOException {
        return TableReader.read(new TableSource(write("t.csv", text).toString(), "y"), Path.of(""));
    }

    @Test
    void typesAreInferredMissingCellsAreNaNAndQuotedCellsHoldSeparators() throws IOException {
        var t = read("\uFEFFage,school,note,y\n31,A,\"tall, \"\"very\"\"\",yes\n,B,x,no\n\n40.5,?,\"two\nlines\",yes\n");
        assertThat(t.table().columns()).extracting(Table.Column::name).containsExactly("age", "school", "note");
        assertThat(t.table().columns()).extracting(Table.Column::type).containsExactly(ColumnType.NUMERIC, ColumnType.CATEGORICAL, ColumnType.CATEGORICAL);
        assertThat(t.table().columns().get(2).levels()).containsExactly("tall, \"very\"", "x", "two\nlines");
        assertThat(t.table().rows()).isEqualTo(3);
        assertThat(t.table().get(1, 0)).isNaN();
        assertThat(t.table().get(2, 1)).isNaN(); // "?" is missing
        assertThat(t.classes()).containsExactly("no", "yes");
        assertThat(t.labels()).containsExactly(1, 0, 1);
        assertThat(t.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(t.summary()).contains("3 rows", "1 numeric and 2 categorical", "2 missing cells", "inferred");
    }

    @Test
    void theTaskFollowsTheTargetsValuesUnlessTheRecipeSaysIt() throws IOException {
        assertThat(read("x,y\n1,0\n2,1\n3,2\n").task()).isEqualTo(Task.CLASSIFICATION);
        var reg = read("x,y\n1,0.5\n2,1.25\n3,2\n");
        assertThat(reg.task()).isEqualTo(Task.REGRESSION);
        assertThat(reg.targets()).containsExactly(0.5f, 1.25f, 2f);
        assertThat(reg.targetNames()).containsExactly("y");
        Path f = write("c.csv", "x,y\n1,0\n2,1\n3,2\n");
        assertThat(TableReader.read(new TableSource(f.toString(), "y", null, Task.REGRESSION, null), Path.of("")).task()).isEqualTo(Task.REGRESSION);
        // 21 distinct integers: more than a classification's few classes
        StringBuilder many = new StringBuilder("x,y\n");
        for (int i = 0; i <= TableSource.MAX_CLASSES_INFERRED; i++) many.append(i).append(',').append(i).append('\n');
        assertThat(read(many.toString()).task()).isEqualTo(Task.REGRESSION);
    }

    @Test
    void badTablesAreRefusedNamingFileLineAndColumn() throws IOException {
        assertThatThrownBy(() -> read("")).hasMessageContaining("t.csv: empty");
        assertThatThrownBy(() -> read("x,y\n")).hasMessageContaining("a header but no rows");
        assertThatThrownBy(() -> read("x,x,y\n1,2,a\n")).hasMessageContaining("t.csv:1: columns 1 and 2 are both named 'x'");
        assertThatThrownBy(() -> read("x,,y\n1,2,a\n")).hasMessageContaining("column 2 of the header has no name");
        assertThatThrownBy(() -> read("x,y\n1,a\n2,b,3\n")).hasMessageContaining("t.csv:3: 3 cells, but the header has 2 columns");
        assertThatThrownBy(() -> read("x,y\n1,a\n2,\n")).hasMessageContaining("t.csv:3: the target 'y' is missing");
        assertThatThrownBy(() -> read("x,y\n1,a\n2,a\n")).hasMessageContaining("the target 'y' has one class ([a])");
        assertThatThrownBy(() -> read("x,y\n1,\"a\n")).hasMessageContaining("t.csv:2: a quoted cell is not closed");
        assertThatThrownBy(() -> read("x,z\n1,a\n")).isInstanceOf(RecipeException.class)
                .hasMessageContaining("data.source.target").hasMessageContaining("no column 'y'").hasMessageContaining("[x, z]");
        assertThatThrownBy(() -> read("x;y\n1;a\n")).isInstanceOf(RecipeException.class)
                .hasMessageContaining("data.source.separator").hasMessageContaining("set data.source.separator: \";\"");
        Path f = write("n.csv", "x,w,y\n1,2,a\nseven,3,b\n");
        assertThatThrownBy(() -> TableReader.read(new TableSource(f.toString(), "y", Map.of("x", ColumnType.NUMERIC), null, null), Path.of("")))
                .hasMessageContaining("n.csv:3: column 'x' holds 'seven', not a number; data.source.columns.x is numeric");
        assertThatThrownBy(() -> TableReader.read(new TableSource(f.toString(), "y", Map.of("v", ColumnType.IGNORE), null, null), Path.of("")))
                .isInstanceOf(RecipeException.class).hasMessageContaining("data.source.columns.v").hasMessageContaining("no column 'v'");
        assertThatThrownBy(() -> TableReader.read(new TableSource(tmp.resolve("none.csv").toString(), "y"), Path.of("")))
                .isInstanceOf(RecipeException.class).hasMessageContaining("data.source.file").hasMessageContaining("not found");
        Files.write(tmp.resolve("latin1.csv"), new byte[] {'x', ',', 'y', '\n', '1', ',', (byte) 0xE9, '\n'});
        assertThatThrownBy(() -> TableReader.read(new TableSource(tmp.resolve("latin1.csv").toString(), "y"), Path.of("")))
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void aSemicolonTableReadsWithItsSeparatorAndTsvByItsExtension() throws IOException {
        Path f = write("eu.csv", "x;y\n1.5;a\n2;b\n");
        assertThat(TableReader.read(new TableSource(f.toString(), "y", null, null, ";"), Path.of("")).table().get(0, 0)).isEqualTo(1.5f);
        Path t = write("t.tsv", "x\ty\n1\ta\n2\tb\n");
        assertThat(TableReader.read(new TableSource(t.toString(), "y"), Path.of("")).classes()).containsExactly("a", "b");
    }

    @Test
    void ignoredColumnsAreLeftOutAndOverridesWin() throws IOException {
        Path f = write("o.csv", "id,code,y\n1,10,a\n2,20,b\n3,10,a\n");
        var t = TableReader.read(new TableSource(f.toString(), "y", Map.of("id", ColumnType.IGNORE, "code", ColumnType.CATEGORICAL), null, null), Path.of(""));
        assertThat(t.table().columns()).extracting(Table.Column::name).containsExactly("code");
        assertThat(t.table().columns().get(0).levels()).containsExactly("10", "20");
        assertThat(t.summary()).contains("(1 ignored)");
    }

    @Test
    void theEncoderIsFittedOnTrainingRowsOnlyAndMapsUnseenLevelsToTheirOwnFeature() throws IOException {
        var t = read("age,school,y\n10,A,a\n20,A,b\n,B,a\n1000,C,b\n");
        try (ImageSet all = ImageSet.ofTable(t.table(), t.labels(), t.classes(), new float[0], List.of(), "x");
             ImageSet train = all.select(new int[] {0, 1, 2}); ImageSet test = all.select(new int[] {3})) {
            TableEncoder e = TableEncoder.fit(train);
            assertThat(e.featureNames()).containsExactly("age", "age.missing", "school=A", "school=B", "school=(unseen)");
            try (ImageSet encTrain = e.encode(train); ImageSet encTest = e.encode(test)) {
                // mean 15 and sd 5 of the two training ages; the missing one is the mean (0) with its indicator
                assertThat(encTrain.tableRow(0)).containsExactly(-1f, 0f, 1f, 0f, 0f);
                assertThat(encTrain.tableRow(2)).containsExactly(0f, 1f, 0f, 1f, 0f);
                // the test row's 1000 is not part of the statistics; its level C was never trained on
                assertThat(encTest.tableRow(0)).containsExactly(197f, 0f, 0f, 0f, 1f);
                assertThat(encTest.labels()).containsExactly(1);
            }
        }
    }

    @Test
    void theHoldOutIsStratifiedAndDrawnBySeed() throws IOException {
        Path sonar = TestData.root().resolve("test-data/tables/sonar.csv");
        try (var s = Datasets.load(new Data(new TableSource(sonar.toString(), "Class")), Path.of(""), 0)) {
            assertThat(s.train().size() + s.test().size()).isEqualTo(208);
            // 20 % of each class, rounded: 22 of the 111 M (mines), 19 of the 97 R (rocks)
            assertThat(java.util.Arrays.stream(s.test().labels()).filter(l -> l == 0).count()).isEqualTo(22);
            assertThat(java.util.Arrays.stream(s.test().labels()).filter(l -> l == 1).count()).isEqualTo(19);
            assertThat(s.train().isTable()).isTrue();
            assertThat(s.train().classes()).containsExactly("M", "R");
            assertThat(s.conversion()).contains("208 rows, 60 numeric");
        }
    }
}
