package dev.kinglet.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import dev.kinglet.dsl.CsvManifest;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.ImageFolder;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.PixelCache;

/**
 * Image files (a folder of class sub-folders, or a CSV manifest) read into native pixels of
 * one size and channel count, through the image cache ({@link ImageCache}): each file is
 * decoded once, later loads map the cache file. Every file is read before training starts: a
 * corrupt, empty, unreadable or missing file is an error that names its path and why, or with
 * {@code data.skipBadFiles} is left out and listed in the split with why.
 */
final class ImageFiles {
    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp");

    /** Whether {@code p} has an image file's extension (png, jpg, jpeg, bmp, tif, tiff, webp). */
    static boolean isImage(Path p) {
        return EXTENSIONS.contains(extension(p));
    }

    private ImageFiles() {}

    /** A listed file with its class, or (regression, class 0) its targets. */
    record Labelled(Path file, int label, float[] targets) {
        Labelled(Path file, int label) {
            this(file, label, null);
        }
    }

    /** Bad input: an error that names it, or (data.skipBadFiles) a line in the split's list of what was left out. */
    private static final class Problems {
        private final boolean skip;
        private final List<String> skipped = new ArrayList<>();

        Problems(Data data) {
            this.skip = data.skipBadFiles();
        }

        void add(String message) throws IOException {
            if (!skip) throw new IOException(message);
            skipped.add(message);
        }
    }

    /** The split of an image folder: {@code train/} and {@code test/} if present, else a stratified test share. */
    static Datasets.Split folder(ImageFolder source, Data data, Path base, long seed) throws IOException {
        Path dir = base.resolve(source.dir()).normalize();
        if (!Files.isDirectory(dir)) throw new RecipeException("data.source.dir", "folder " + dir.toAbsolutePath() + " not found");
        Problems problems = new Problems(data);
        boolean presplit = Files.isDirectory(dir.resolve("train"));
        Path trainDir = presplit ? dir.resolve("train") : dir;
        List<String> classes = classFolders(trainDir);
        List<Labelled> train = new ArrayList<>(), test = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            train.addAll(images(trainDir.resolve(classes.get(c)), c, problems));
            if (presplit && Files.isDirectory(dir.resolve("val").resolve(classes.get(c)))) train.addAll(images(dir.resolve("val").resolve(classes.get(c)), c, problems));
            if (presplit && Files.isDirectory(dir.resolve("test").resolve(classes.get(c)))) test.addAll(images(dir.resolve("test").resolve(classes.get(c)), c, problems));
        }
        if (presplit && Files.isDirectory(dir.resolve("test"))) {
            for (String c : classFolders(dir.resolve("test"))) {
                if (!classes.contains(c)) problems.add(dir.resolve("test").resolve(c) + ": class '" + c + "' has no training folder in " + trainDir);
            }
        }
        return read(dir, dir, train, test, presplit, classes, List.of(), c -> trainDir.resolve(classes.get(c)).toString(), data, seed, problems);
    }

    /**
     * The split of a CSV manifest, a test share held out: {@code path,label} rows for
     * classification (stratified by class), or for regression a header row {@code path,<target>,...}
     * naming the targets and rows of numbers (a plain random share: there are no classes).
     */
    static Datasets.Split manifest(CsvManifest source, Data data, Path base, long seed) throws IOException {
        Path file = base.resolve(source.file()).normalize();
        if (!Files.isRegularFile(file)) throw new RecipeException("data.source.file", "manifest " + file.toAbsolutePath() + " not found");
        boolean regression = source.task() == CsvManifest.Task.REGRESSION;
        Problems problems = new Problems(data);
        Path root = file.getParent().toAbsolutePath().normalize();
        List<String> lines = Files.readAllLines(file);
        List<String> targetNames = List.of();
        List<Labelled> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        boolean first = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] cells = line.split(",", -1);
            String at = file + ":" + (i + 1) + ": ";
            if (first) {
                first = false;
                boolean header = cells[0].strip().equalsIgnoreCase("path");
                if (regression) {
                    targetNames = java.util.Arrays.stream(cells).skip(1).map(String::strip).toList();
                    if (!header || targetNames.isEmpty() || targetNames.stream().anyMatch(String::isEmpty) || targetNames.stream().distinct().count() != targetNames.size()) {
                        throw new IOException(at + "a regression manifest starts with a header row naming its targets, e.g. 'path,brightness,asymmetry'; got '" + line + "'");
                    }
                    continue;
                }
                if (header) continue;
            }
            if (cells.length != (regression ? 1 + targetNames.size() : 2) || cells[0].isBlank() || (!regression && cells[1].isBlank())) {
                problems.add(at + "expected '" + (regression ? "path," + String.join(",", targetNames) : "path,label") + "', got '" + line + "'");
                continue;
            }
            float[] targets = null;
            if (regression) {
                try {
                    targets = targets(cells, targetNames, at);
                } catch (NumberFormatException e) {
                    problems.add(e.getMessage());
                    continue;
                }
            }
            Path p = root.resolve(cells[0].strip()).normalize();
            if (!p.startsWith(root)) {
                problems.add(at + "path '" + cells[0].strip() + "' leaves the manifest's folder " + root);
            } else if (!Files.exists(p)) {
                problems.add(at + "image " + p + " not found");
            } else {
                rows.add(new Labelled(p, 0, targets));
                labels.add(regression ? "" : cells[1].strip());
            }
        }
        if (rows.isEmpty()) {
            throw new IOException(file + ": no rows (expected lines '" + (regression ? "path,<target>,..." : "path,label") + "')"
                    + (problems.skipped.isEmpty() ? "" : " that can be read"));
        }
        List<String> classes = labels.stream().distinct().sorted().toList();
        List<Labelled> all = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) all.add(new Labelled(rows.get(i).file(), classes.indexOf(labels.get(i)), rows.get(i).targets()));
        IntFunction<String> place = regression ? c -> file.toString() : c -> file + ": label '" + classes.get(c) + "'";
        return read(file, root, all, List.of(), false, classes, targetNames, place, data, seed, problems);
    }

    /** The targets of a regression row; a missing or non-numeric value is an error naming its line and column. */
    private static float[] targets(String[] cells, List<String> names, String at) {
        float[] t = new float[names.size()];
        for (int j = 0; j < t.length; j++) {
            String v = cells[j + 1].strip();
            String where = at + "column " + (j + 2) + " (" + names.get(j) + "): ";
            if (v.isEmpty()) throw new NumberFormatException(where + "missing value; every target needs a number, e.g. 0.25");
            try {
                t[j] = Float.parseFloat(v);
            } catch (NumberFormatException e) {
                throw new NumberFormatException(where + "'" + v + "' is not a number, e.g. 0.25");
            }
            if (!Float.isFinite(t[j])) throw new NumberFormatException(where + "'" + v + "' is not a finite number");
        }
        return t;
    }

    private static List<String> classFolders(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> classes = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
            if (classes.isEmpty()) throw new IOException(dir + ": no class sub-folders (expected " + dir + "/<class>/<image>.png)");
            return classes;
        } catch (AccessDeniedException e) {
            throw new IOException(dir + ": permission denied", e);
        }
    }

    private static List<Labelled> images(Path classDir, int label, Problems problems) throws IOException {
        List<Labelled> out;
        try (Stream<Path> s = Files.walk(classDir)) {
            out = s.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.contains(extension(p)))
                    .sorted(Comparator.comparing(Path::toString))
                    .map(p -> new Labelled(p, label)).toList();
        } catch (AccessDeniedException | java.io.UncheckedIOException e) {
            problems.add(classDir + ": cannot be listed (" + (e instanceof java.io.UncheckedIOException u ? u.getCause() : e).getMessage() + ")");
            return List.of();
        }
        if (out.isEmpty()) problems.add(classDir + ": class folder has no images (" + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ")");
        return out;
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** A listed file and what reading it gave. */
    private record Item(Path file, int label, float[] targets, ImageCache.Found found) {
        PixelCache.Entry meta() {
            return ((ImageCache.Good) found).meta();
        }
    }

    /**
     * Reads the listed files ({@code source}'s, named relative to {@code root}) through the image
     * cache, leaves out what is bad (or stops at it), holds out a test share unless the source
     * gives one, and converts every image to one size and channel count. With {@code targetNames}
     * (regression) the one class is a single stratum and the sets carry the targets.
     */
    private static Datasets.Split read(Path source, Path root, List<Labelled> train, List<Labelled> test, boolean presplit, List<String> classes,
                                       List<String> targetNames, IntFunction<String> classPlace, Data data, long seed, Problems problems) throws IOException {
        List<Labelled> listed = new ArrayList<>(train);
        listed.addAll(test);
        try (ImageCache cache = ImageCache.open(source, root, data)) {
            List<ImageCache.Found> found = cache.find(listed.stream().map(Labelled::file).toList());
            List<Item> trainItems = new ArrayList<>(), testItems = new ArrayList<>();
            for (int i = 0; i < listed.size(); i++) {
                Item item = new Item(listed.get(i).file(), listed.get(i).label(), listed.get(i).targets(), found.get(i));
                if (item.found() instanceof ImageCache.Bad bad) problems.add(bad.message());
                else (i < train.size() ? trainItems : testItems).add(item);
            }
            // a class left without training images is left out, with its test images
            int[] trainCount = new int[classes.size()], testCount = new int[classes.size()], listedCount = new int[classes.size()];
            trainItems.forEach(it -> trainCount[it.label()]++);
            testItems.forEach(it -> testCount[it.label()]++);
            train.forEach(l -> listedCount[l.label()]++);
            int[] newLabel = new int[classes.size()];
            List<String> kept = new ArrayList<>();
            for (int c = 0; c < classes.size(); c++) {
                newLabel[c] = trainCount[c] > 0 ? kept.size() : -1;
                if (trainCount[c] > 0) kept.add(classes.get(c));
                else if (listedCount[c] > 0 || testCount[c] > 0) { // else its empty folder was reported
                    problems.add(classPlace.apply(c) + ": no readable training images: class '" + classes.get(c) + "' left out"
                            + (testCount[c] > 0 ? " with its " + testCount[c] + " test image(s)" : ""));
                }
            }
            if (kept.isEmpty()) throw new IOException(source + ": no readable images (" + problems.skipped.size() + " files or classes left out)");
            trainItems = relabel(trainItems, newLabel);
            testItems = relabel(testItems, newLabel);
            if (!presplit || testItems.isEmpty()) {
                var parts = holdOut(trainItems, kept.size(), data.testFraction(), seed);
                trainItems = parts.get(0);
                testItems = parts.get(1);
            }
            List<Item> all = new ArrayList<>(trainItems);
            all.addAll(testItems);
            int[] shape = shape(all, data);
            ImageCache.Store store = cache.store(all.stream().map(Item::file).toList(), all.stream().map(it -> (ImageCache.Good) it.found()).toList(),
                    shape[0], shape[1], shape[2]);
            ImageSet trainSet = set(store, trainItems, 0, kept, targetNames);
            ImageSet testSet;
            try {
                testSet = set(store, testItems, trainItems.size(), kept, targetNames);
            } catch (IOException | RuntimeException e) {
                trainSet.close();
                throw e;
            }
            Datasets.CacheUse use = cache.use();
            String conversion = "images decoded to " + shape[2] + "x" + shape[0] + "x" + shape[1] + " (" + channelRule(data, all, shape[2]) + ")"
                    + "; " + use.summary();
            return new Datasets.Split(trainSet, testSet, duplicates(trainItems, testItems), conversion, problems.skipped, use);
        }
    }

    private static List<Item> relabel(List<Item> items, int[] newLabel) {
        return items.stream().filter(it -> newLabel[it.label()] >= 0).map(it -> new Item(it.file(), newLabel[it.label()], it.targets(), it.found())).toList();
    }

    /** Stratified: {@code fraction} of each class (at least one where the class has two or more) goes to the second list. */
    private static List<List<Item>> holdOut(List<Item> all, int classes, double fraction, long seed) {
        List<Item> train = new ArrayList<>(), test = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            final int cls = c;
            List<Item> members = new ArrayList<>(all.stream().filter(l -> l.label() == cls).toList());
            SplittableRandom rng = new SplittableRandom(seed * 7 + c);
            for (int i = members.size() - 1; i > 0; i--) java.util.Collections.swap(members, i, rng.nextInt(i + 1));
            int n = members.size() < 2 ? 0 : Math.max(1, (int) Math.round(members.size() * fraction));
            test.addAll(members.subList(0, n));
            train.addAll(members.subList(n, members.size()));
        }
        return List.of(train, test);
    }

    /** Height, width and channels: the recipe's, else the images' own (one size for all of them; RGB if any is). */
    private static int[] shape(List<Item> all, Data data) {
        int channels = data.channels() != null ? data.channels() : all.stream().anyMatch(it -> it.meta().sourceChannels() == 3) ? 3 : 1;
        if (!data.imageSize().isEmpty()) return new int[] {data.imageSize().get(0), data.imageSize().get(1), channels};
        int height = all.get(0).meta().sourceHeight(), width = all.get(0).meta().sourceWidth();
        for (Item it : all) {
            if (it.meta().sourceHeight() != height || it.meta().sourceWidth() != width) {
                throw new RecipeException("data.imageSize", "images differ in size (" + height + "x" + width + " in " + all.get(0).file()
                        + ", " + it.meta().sourceHeight() + "x" + it.meta().sourceWidth() + " in " + it.file()
                        + "): set data.imageSize, e.g. [" + height + ", " + width + "]");
            }
        }
        return new int[] {height, width, channels};
    }

    private static String channelRule(Data data, List<Item> all, int channels) {
        long rgb = all.stream().filter(it -> it.meta().sourceChannels() == 3).count(), grey = all.size() - rgb;
        if (data.channels() != null) return "data.channels = " + channels + ": " + (channels == 3 ? grey + " grey images repeated to RGB" : rgb + " RGB images to luma");
        return channels == 3 ? (grey > 0 ? "mixed: " + grey + " grey images repeated to RGB" : "all RGB") : "all grey";
    }

    /** The set of {@code items}, which are files {@code first}.. of the store; its digest is over its pixels and labels (or targets), in order. */
    private static ImageSet set(ImageCache.Store store, List<Item> items, int first, List<String> classes, List<String> targetNames) throws IOException {
        ImageCache.Store.Placed placed = store.place(first, first + items.size());
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int row : placed.rows()) md.update(placed.pixels().get(row));
            int[] labels = items.stream().mapToInt(Item::label).toArray();
            byte[] labelBytes = new byte[labels.length * 4];
            ByteBuffer.wrap(labelBytes).asIntBuffer().put(labels);
            md.update(labelBytes);
            if (!targetNames.isEmpty()) {
                float[] targets = new float[items.size() * targetNames.size()];
                for (int i = 0; i < items.size(); i++) System.arraycopy(items.get(i).targets(), 0, targets, i * targetNames.size(), targetNames.size());
                ByteBuffer targetBytes = ByteBuffer.allocate(targets.length * Float.BYTES);
                targetBytes.asFloatBuffer().put(targets);
                md.update(targetBytes.array());
                return new ImageSet(placed.pixels(), placed.rows(), targets, targetNames, HexFormat.of().formatHex(md.digest()));
            }
            return new ImageSet(placed.pixels(), placed.rows(), labels, classes, HexFormat.of().formatHex(md.digest()));
        } catch (NoSuchAlgorithmException e) {
            placed.pixels().close();
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            placed.pixels().close();
            throw e;
        }
    }

    /** Test images whose decoded content equals a training image's. */
    private static List<String> duplicates(List<Item> train, List<Item> test) {
        Map<String, Path> seen = new HashMap<>();
        for (Item it : train) seen.putIfAbsent(it.meta().decodedSha256(), it.file());
        List<String> out = new ArrayList<>();
        for (Item it : test) {
            Path twin = seen.get(it.meta().decodedSha256());
            if (twin != null) out.add(it.file() + " (test) = " + twin + " (train)");
        }
        return out;
    }
}
